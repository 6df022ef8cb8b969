//! One background job of a kind at a time: a request made while the job
//! runs is remembered (once, however many come) and starts the job again
//! when it finishes, so the newest request is always served and work never
//! piles up. (gitui's `AsyncSingleJob` is the model.)

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SingleFlight {
    running: bool,
    again: bool,
}

impl SingleFlight {
    /// Asks for a run: true when the caller should start the job now, false
    /// when one is in flight (another will follow it).
    pub fn request(&mut self) -> bool {
        if self.running {
            self.again = true;
            return false;
        }
        self.running = true;
        self.again = false;
        true
    }

    /// The job finished (or failed): true when a request came meanwhile and
    /// the caller should start it again.
    pub fn done(&mut self) -> bool {
        self.running = false;
        std::mem::take(&mut self.again)
    }

    pub fn running(&self) -> bool {
        self.running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_during_a_run_fold_into_one_more() {
        let mut f = SingleFlight::default();
        assert!(f.request());
        assert!(!f.request());
        assert!(!f.request());
        assert!(f.running());
        assert!(f.done(), "one more run for the requests made meanwhile");
        assert!(!f.running());
        assert!(f.request());
        assert!(!f.done(), "nothing asked meanwhile");
        assert!(f.request(), "idle again: starts at once");
    }
}
