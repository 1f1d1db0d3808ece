//! CPU time of processes from `/proc/<pid>/stat` (Linux): user + system time of a process and of
//! its descendants (a server that forks workers), and of every PostgreSQL backend.

use std::collections::HashMap;

/// Clock ticks per second of `/proc/<pid>/stat` times: `USER_HZ`, 100 on every Linux ABI we run on.
const TICKS_PER_SECOND: f64 = 100.0;

/// (comm, ppid, utime + stime in ticks) of one process.
fn stat(pid: u32) -> Option<(String, u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((comm, ppid, utime + stime))
}

fn all_processes() -> HashMap<u32, (String, u32, u64)> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return HashMap::new() };
    dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| stat(pid).map(|s| (pid, s)))
        .collect()
}

/// What a probe measures.
#[derive(Debug, Clone)]
pub enum Probe {
    /// A process and all its descendants.
    Tree(u32),
    /// The PostgreSQL backends serving one database (the database's share of the work; their
    /// process title names the database). Backends that end during a run are not counted.
    Postgres(String),
    /// This process (the load generator itself).
    Me,
}

impl Probe {
    /// CPU seconds so far. Processes that ended in between are not counted (backends of a pool live on).
    pub fn seconds(&self) -> f64 {
        let ticks: u64 = match self {
            Probe::Me => stat(std::process::id()).map_or(0, |s| s.2),
            Probe::Postgres(database) => {
                let needle = format!(" {database} ");
                let backend = |pid: &u32| {
                    std::fs::read(format!("/proc/{pid}/cmdline"))
                        .is_ok_and(|title| String::from_utf8_lossy(&title).contains(&needle))
                };
                all_processes()
                    .iter()
                    .filter(|(pid, (comm, _, _))| comm == "postgres" && backend(pid))
                    .map(|(_, s)| s.2)
                    .sum()
            }
            Probe::Tree(root) => {
                let processes = all_processes();
                let mut total = 0;
                let mut frontier = vec![*root];
                while let Some(pid) = frontier.pop() {
                    if let Some((_, _, ticks)) = processes.get(&pid) {
                        total += ticks;
                    }
                    frontier.extend(processes.iter().filter(|(_, (_, ppid, _))| *ppid == pid).map(|(child, _)| *child));
                }
                total
            }
        };
        ticks as f64 / TICKS_PER_SECOND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_cpu_time() {
        let spin = std::time::Instant::now();
        let mut x = 0u64;
        while spin.elapsed() < std::time::Duration::from_millis(50) {
            x = x.wrapping_add(1);
        }
        assert!(x > 0);
        assert!(Probe::Me.seconds() > 0.0);
        assert!(Probe::Tree(std::process::id()).seconds() >= Probe::Me.seconds());
    }
}
