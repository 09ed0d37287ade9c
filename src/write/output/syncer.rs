//! Files synced to disk and renamed into place by threads of their own while a run goes on
//! (a run of several centres).

use std::io;
use std::path::PathBuf;

use super::*;

/// Finished output files, synced to disk and renamed into place by a few threads of their own.
///
/// Syncing a file waits for the disk, not the processor. A run of several centres writes
/// thousands of files; with a syncer its checking threads go on to the next centre while the
/// disk catches up, instead of each waiting for every file it wrote. Each file still appears
/// under its name only once it is on disk; [`Syncer::wait`] says when all have.
pub struct Syncer {
    queue: Option<std::sync::mpsc::SyncSender<AtomicFile>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    state: std::sync::Arc<(std::sync::Mutex<Syncing>, std::sync::Condvar)>,
}

#[derive(Default)]
pub(super) struct Syncing {
    /// Files handed over and not yet in place.
    pending: usize,
    /// The first file that could not be put in place, and why.
    failed: Option<(PathBuf, io::Error)>,
}

/// Files a syncer holds open at most while its threads are busy: what a run keeps open stays
/// far below the usual limit of 1,024.
pub(super) const SYNC_QUEUE: usize = 32;

impl Syncer {
    /// A syncer with `threads` threads.
    pub fn new(threads: usize) -> Syncer {
        use std::sync::{Arc, Condvar, Mutex, PoisonError};
        let (queue, files) = std::sync::mpsc::sync_channel::<AtomicFile>(SYNC_QUEUE);
        let files = Arc::new(Mutex::new(files));
        let state = Arc::new((Mutex::new(Syncing::default()), Condvar::new()));
        let threads = (0..threads.max(1))
            .map(|_| {
                let (files, state) = (Arc::clone(&files), Arc::clone(&state));
                std::thread::spawn(move || loop {
                    let next = files.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(file) = next else {
                        return; // the syncer is gone
                    };
                    let target = file.target.clone();
                    let result = file.commit();
                    let (syncing, changed) = &*state;
                    let mut s = syncing.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Err(e) = result {
                        s.failed.get_or_insert((target, e));
                    }
                    s.pending -= 1;
                    changed.notify_all();
                })
            })
            .collect();
        Syncer {
            queue: Some(queue),
            threads,
            state,
        }
    }

    /// Hands `file` over; waits only while the syncer already holds [`SYNC_QUEUE`] files.
    pub fn commit(&self, file: AtomicFile) -> io::Result<()> {
        let (syncing, _) = &*self.state;
        syncing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pending += 1;
        match self.queue.as_ref().map(|q| q.send(file)) {
            Some(Ok(())) => Ok(()),
            // No thread to take it (never so while the syncer lives): put it in place here.
            Some(Err(std::sync::mpsc::SendError(file))) => {
                self.done_here();
                file.commit()
            }
            None => {
                self.done_here();
                Err(io::Error::other("the syncer has stopped"))
            }
        }
    }

    fn done_here(&self) {
        let (syncing, _) = &*self.state;
        syncing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pending -= 1;
    }

    /// Waits until every file handed over is in place; the first that could not be, and why.
    pub fn wait(&self) -> Result<(), (PathBuf, io::Error)> {
        let (syncing, changed) = &*self.state;
        let mut s = syncing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while s.pending > 0 {
            s = changed
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        s.failed.take().map_or(Ok(()), Err)
    }
}

impl Drop for Syncer {
    /// Puts in place what is still queued, then stops the threads.
    fn drop(&mut self) {
        self.queue = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
