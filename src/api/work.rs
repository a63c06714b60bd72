//! The bounded pool registry work runs in: parsing, checks, scans and synced writes leave the
//! async workers (so `/health`, `/ready` and reads by id never wait on them), and a flood of
//! them waits in a bounded queue; past it, the answer is 503 with `Retry-After`. Work on a
//! submitted schema also waits for its bytes: parsing and checking one costs many times its
//! text, so the schema bytes being worked on at once are bounded (twice the body limit), and
//! memory follows the configuration rather than how many large schemas arrive together.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many jobs run at once, how many schema bytes they may hold, and how many jobs may wait.
#[derive(Debug)]
pub struct WorkQueue {
    running: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    byte_budget: u32,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// A job's place: while it is held, the job runs.
#[derive(Debug)]
pub struct Turn {
    _running: OwnedSemaphorePermit,
    _bytes: Option<OwnedSemaphorePermit>,
}

/// Full: the caller answers 503.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl WorkQueue {
    /// Two jobs per core run at once (a synced write waits on the disk, not the CPU), holding
    /// at most twice `body_limit` bytes of schemas; a thousand more jobs may wait.
    pub fn for_this_machine(body_limit: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        WorkQueue::new(2 * cores, body_limit.saturating_mul(2), 1024)
    }

    pub fn new(running: usize, byte_budget: usize, max_waiting: usize) -> Self {
        let byte_budget = u32::try_from(byte_budget).unwrap_or(u32::MAX).max(1);
        WorkQueue {
            running: Arc::new(Semaphore::new(running)),
            bytes: Arc::new(Semaphore::new(byte_budget as usize)),
            byte_budget,
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Waits for a turn for a job holding `bytes` of schema text (0 for one that holds none):
    /// first for its bytes, in arrival order (small jobs never starve a large one), then for a
    /// place to run; `Busy` at once when the queue is full.
    pub async fn turn(&self, bytes: usize) -> Result<Turn, Busy> {
        // More than the whole budget waits for all of it.
        let bytes = u32::try_from(bytes)
            .unwrap_or(u32::MAX)
            .min(self.byte_budget);
        if let Some(turn) = self.try_turn(bytes) {
            return Ok(turn);
        }
        let _place = Waiting::enter(&self.waiting, self.max_waiting)?;
        self.wait(bytes).await
    }

    /// A turn for the rest of work already begun (the next page of an answer being written):
    /// it waits however full the queue is, since refusing it would cut the answer short. Such
    /// waits are bounded by the connections open, one each.
    pub async fn continued_turn(&self) -> Result<Turn, Busy> {
        self.wait(0).await
    }

    /// A turn at once, if the bytes and a place to run are both free.
    fn try_turn(&self, bytes: u32) -> Option<Turn> {
        let held = match bytes {
            0 => None,
            n => Some(self.bytes.clone().try_acquire_many_owned(n).ok()?),
        };
        let running = self.running.clone().try_acquire_owned().ok()?;
        Some(Turn {
            _running: running,
            _bytes: held,
        })
    }

    async fn wait(&self, bytes: u32) -> Result<Turn, Busy> {
        // The semaphores are never closed.
        let held = match bytes {
            0 => None,
            n => Some(
                self.bytes
                    .clone()
                    .acquire_many_owned(n)
                    .await
                    .map_err(|_| Busy)?,
            ),
        };
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Busy)?;
        Ok(Turn {
            _running: running,
            _bytes: held,
        })
    }
}

/// A place in the queue, given back when the wait ends or its request goes away.
struct Waiting<'q>(&'q AtomicUsize);

impl<'q> Waiting<'q> {
    fn enter(waiting: &'q AtomicUsize, max_waiting: usize) -> Result<Self, Busy> {
        if waiting.fetch_add(1, Ordering::SeqCst) >= max_waiting {
            waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        Ok(Waiting(waiting))
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_answers_busy_and_a_turn_frees_a_place() {
        let queue = Arc::new(WorkQueue::new(1, 100, 1));
        let first = queue.turn(0).await.unwrap();
        // The second waits for the first's turn to end.
        let waiter = {
            let queue = queue.clone();
            tokio::spawn(async move { queue.turn(0).await.map(drop) })
        };
        while queue.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            queue.turn(0).await.map(drop),
            Err(Busy),
            "the queue holds one"
        );
        drop(first);
        assert_eq!(waiter.await.unwrap(), Ok(()));
        assert!(queue.turn(0).await.is_ok(), "free again");
    }

    #[tokio::test]
    async fn jobs_wait_for_their_bytes_in_arrival_order() {
        let queue = Arc::new(WorkQueue::new(4, 100, 10));
        let large = queue.turn(80).await.unwrap();
        let spawn_turn = |bytes| {
            let queue = queue.clone();
            tokio::spawn(async move { queue.turn(bytes).await.map(drop) })
        };
        let second_large = spawn_turn(80);
        while queue.waiting.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        // 20 bytes are free, but a small job arriving later waits its turn: a stream of small
        // jobs never starves a large one.
        let small = spawn_turn(20);
        while queue.waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(!small.is_finished() && !second_large.is_finished());
        drop(large);
        assert_eq!(second_large.await.unwrap(), Ok(()));
        assert_eq!(small.await.unwrap(), Ok(()));
        // A job larger than the whole budget waits for all of it rather than forever.
        assert!(queue.turn(1_000).await.is_ok());
    }
}
