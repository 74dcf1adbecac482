//! Bounded concurrency with one rule: jobs of the same group (observation) never run at the
//! same time, and run in their listing order.
//!
//! `parallel_count` worker threads take jobs in order; a job whose group is busy waits aside
//! and goes first once the group's running job finishes. Results come back to the calling
//! thread, which does all bookkeeping (journal, logs) in one place, so the workers share
//! nothing but the queue.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

struct Queue<G, J, I> {
    /// Jobs not yet pulled from the caller's iterator (None once it is exhausted).
    source: Option<I>,
    pending: VecDeque<(G, J)>,
    running: HashSet<G>,
    waiting: HashMap<G, VecDeque<J>>,
    stop: bool,
}

impl<G: Hash + Eq + Clone, J, I: Iterator<Item = (G, J)>> Queue<G, J, I> {
    /// The next job: from the released ones first, then pulled from the source, lazily, so a
    /// long listing is never held in memory at once.
    fn next_job(&mut self) -> Option<(G, J)> {
        if let Some(j) = self.pending.pop_front() {
            return Some(j);
        }
        let next = self.source.as_mut().and_then(Iterator::next);
        if next.is_none() {
            self.source = None;
        }
        next
    }

    /// The next job whose group is free, if any.
    fn take(&mut self) -> Option<(G, J)> {
        while let Some((group, job)) = self.next_job() {
            if self.running.contains(&group) {
                self.waiting.entry(group).or_default().push_back(job);
                continue;
            }
            self.running.insert(group.clone());
            return Some((group, job));
        }
        None
    }

    fn finish(&mut self, group: &G) {
        self.running.remove(group);
        if let Some(q) = self.waiting.get_mut(group) {
            if let Some(job) = q.pop_front() {
                self.pending.push_front((group.clone(), job));
            }
            if q.is_empty() {
                self.waiting.remove(group);
            }
        }
    }

    fn idle(&self) -> bool {
        self.source.is_none()
            && self.pending.is_empty()
            && self.running.is_empty()
            && self.waiting.is_empty()
    }
}

/// Runs `work` over `jobs` (each with its group) on `workers` threads and hands every result
/// to `done` on the calling thread, in completion order. Jobs are pulled from the iterator
/// as workers become free. When `done` returns `false`, no further jobs are started (running
/// ones finish and are reported).
pub fn run<G, J, R, W, D, I>(jobs: I, workers: usize, work: W, mut done: D)
where
    G: Hash + Eq + Clone + Send,
    J: Send,
    R: Send,
    W: Fn(J) -> R + Sync,
    D: FnMut(R) -> bool,
    I: Iterator<Item = (G, J)> + Send,
{
    let workers = workers.max(1);
    let queue = Mutex::new(Queue {
        source: Some(jobs),
        pending: VecDeque::new(),
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
            jobs.into_iter(),
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
            jobs.into_iter(),
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
