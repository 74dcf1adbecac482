//! Bounded concurrency with one rule: jobs of the same group (observation) never run at the
//! same time, and run in their listing order.
//!
//! `parallel_count` worker threads take jobs in order; a job whose group is busy waits aside
//! and goes first once the group's running job finishes. Results come back to the calling
//! thread, which does all bookkeeping (journal, logs) in one place, so the workers share
//! nothing but the queue.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

struct Queue<J> {
    pending: VecDeque<(String, J)>,
    running: HashSet<String>,
    waiting: HashMap<String, VecDeque<J>>,
    stop: bool,
}

impl<J> Queue<J> {
    /// The next job whose group is free, if any.
    fn take(&mut self) -> Option<(String, J)> {
        while let Some((group, job)) = self.pending.pop_front() {
            if self.running.contains(&group) {
                self.waiting.entry(group).or_default().push_back(job);
                continue;
            }
            self.running.insert(group.clone());
            return Some((group, job));
        }
        None
    }

    fn finish(&mut self, group: &str) {
        self.running.remove(group);
        if let Some(q) = self.waiting.get_mut(group) {
            if let Some(job) = q.pop_front() {
                self.pending.push_front((group.to_string(), job));
            }
            if q.is_empty() {
                self.waiting.remove(group);
            }
        }
    }

    fn idle(&self) -> bool {
        self.pending.is_empty() && self.running.is_empty() && self.waiting.is_empty()
    }
}

/// Runs `work` over `jobs` (each with its group) on `workers` threads and hands every result
/// to `done` on the calling thread, in completion order. When `done` returns `false`, no
/// further jobs are started (running ones finish and are reported).
pub fn run<J, R, W, D>(jobs: Vec<(String, J)>, workers: usize, work: W, mut done: D)
where
    J: Send,
    R: Send,
    W: Fn(J) -> R + Sync,
    D: FnMut(R) -> bool,
{
    if jobs.is_empty() {
        return;
    }
    let workers = workers.clamp(1, jobs.len());
    let queue = Mutex::new(Queue {
        pending: jobs.into_iter().collect(),
        running: HashSet::new(),
        waiting: HashMap::new(),
        stop: false,
    });
    let ready = Condvar::new();
    // A bounded channel keeps finished results from piling up if bookkeeping is slow.
    let (tx, rx) = mpsc::sync_channel::<R>(workers * 4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let queue = &queue;
            let ready = &ready;
            let work = &work;
            scope.spawn(move || loop {
                let next = {
                    let Ok(mut q) = queue.lock() else { return };
                    loop {
                        if q.stop {
                            break None;
                        }
                        if let Some(j) = q.take() {
                            break Some(j);
                        }
                        if q.idle() {
                            break None;
                        }
                        q = match ready.wait(q) {
                            Ok(q) => q,
                            Err(_) => return,
                        };
                    }
                };
                let Some((group, job)) = next else {
                    ready.notify_all();
                    return;
                };
                let r = work(job);
                // Report before releasing the group, so results of one group arrive in order.
                let sent = tx.send(r).is_ok();
                if let Ok(mut q) = queue.lock() {
                    q.finish(&group);
                }
                ready.notify_all();
                if !sent {
                    return;
                }
            });
        }
        drop(tx);
        for r in rx.iter() {
            if !done(r) {
                if let Ok(mut q) = queue.lock() {
                    q.stop = true;
                }
                ready.notify_all();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn groups_never_overlap_and_keep_their_order() {
        let jobs: Vec<(String, (String, usize))> = (0..200)
            .map(|i| {
                let g = format!("obs{}", i % 7);
                (g.clone(), (g, i))
            })
            .collect();
        let active: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
        let overlaps = AtomicUsize::new(0);
        let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
        run(
            jobs,
            4,
            |(g, i)| {
                if !active.lock().unwrap().insert(g.clone()) {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                std::thread::yield_now();
                active.lock().unwrap().remove(&g);
                (g, i)
            },
            |(g, i)| {
                seen.entry(g).or_default().push(i);
                true
            },
        );
        assert_eq!(overlaps.load(Ordering::SeqCst), 0);
        assert_eq!(seen.values().map(Vec::len).sum::<usize>(), 200);
        for v in seen.values() {
            let mut sorted = v.clone();
            sorted.sort_unstable();
            assert_eq!(*v, sorted);
        }
    }

    #[test]
    fn stopping_starts_no_more_jobs() {
        let jobs: Vec<(String, usize)> = (0..100).map(|i| (i.to_string(), i)).collect();
        let mut n = 0;
        run(
            jobs,
            2,
            |i| i,
            |_| {
                n += 1;
                n < 5
            },
        );
        assert!((5..100).contains(&n), "{n}");
    }
}
