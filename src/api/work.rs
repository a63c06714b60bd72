//! The bounded pool registry work runs in: parsing, checks, scans and synced writes leave the
//! async workers (so `/health`, `/ready` and reads by id never wait on them), and a flood of
//! them waits in a bounded queue; past it, the answer is 503 with `Retry-After`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many jobs run at once, and how many may wait.
#[derive(Debug)]
pub struct WorkQueue {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Full: the caller answers 503.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl WorkQueue {
    /// Two jobs per core run at once (a synced write waits on the disk, not the CPU); a
    /// thousand more may wait.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        WorkQueue::new(2 * cores, 1024)
    }

    pub fn new(running: usize, max_waiting: usize) -> Self {
        WorkQueue {
            running: Arc::new(Semaphore::new(running)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Waits for a turn; `Busy` at once when the queue is full.
    pub async fn turn(&self) -> Result<OwnedSemaphorePermit, Busy> {
        if let Ok(permit) = self.running.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let permit = self.running.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        // The semaphore is never closed.
        permit.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_answers_busy_and_a_turn_frees_a_place() {
        let queue = Arc::new(WorkQueue::new(1, 1));
        let first = queue.turn().await.unwrap();
        // The second waits for the first's turn to end.
        let waiter = {
            let queue = queue.clone();
            tokio::spawn(async move { queue.turn().await.map(drop) })
        };
        while queue.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            queue.turn().await.map(drop),
            Err(Busy),
            "the queue holds one"
        );
        drop(first);
        assert_eq!(waiter.await.unwrap(), Ok(()));
        assert!(queue.turn().await.is_ok(), "free again");
    }
}
