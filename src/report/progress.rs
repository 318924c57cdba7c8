//! A progress bar on stderr while built files are compressed (brotli at quality 11 takes
//! minutes on a large build). It appears only on a terminal and only once a run has taken
//! a second, so short runs and CI logs never see it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::bundle::Progress;

/// How long a run goes before the bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(crate) struct CompressionBar {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
    enabled: bool,
}

impl CompressionBar {
    /// A bar that draws on stderr when `terminal` is true; otherwise it never draws.
    pub(crate) fn new(terminal: bool) -> CompressionBar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("compressing {bar:30} {binary_bytes}/{binary_total_bytes} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        CompressionBar { bar, started: Instant::now(), shown: AtomicBool::new(false), enabled: terminal }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for CompressionBar {
    fn start(&self, total_bytes: u64) {
        self.bar.set_length(total_bytes);
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
        if self.enabled && self.started.elapsed() >= SHOW_AFTER && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Off a terminal the bar counts but never draws.
    #[test]
    fn counts_without_drawing_off_a_terminal() {
        let bar = CompressionBar::new(false);
        bar.start(300);
        bar.advance(100);
        bar.advance(200);
        assert_eq!((bar.bar.position(), bar.bar.length()), (300, Some(300)));
        assert!(bar.bar.is_hidden());
        assert!(!bar.shown.load(Ordering::Relaxed));
    }
}
