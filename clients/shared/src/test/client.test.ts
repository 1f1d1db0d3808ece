import { describe, expect, it } from 'vitest';
import { requestBody } from '../graphql-client';
import { LoginDocument } from '../gql/graphql';

describe('graphql client', () => {
  it('sends the persisted form in production and the text in development', () => {
    const vars = { email: 'a@b.dk', password: 'x' };
    const persisted = requestBody(LoginDocument as never, vars, true);
    expect(persisted).toEqual({ documentId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), operationName: 'Login', variables: vars });
    expect(JSON.stringify(persisted)).not.toContain('mutation');
    const text = requestBody(LoginDocument as never, vars, false);
    expect(text.query).toContain('mutation Login');
    expect('documentId' in text).toBe(false);
  });
});
