//! A panic anywhere ends the run with exit code 2, never 0, 1 or Rust's 101. (Its own test
//! binary: the guard installs a process-wide panic hook.)

use std::process::ExitCode;

use perfbudget::app::ExitStatus;

#[test]
fn a_panic_exits_2_and_a_normal_run_keeps_its_code() {
    let guard = |run: fn() -> ExitStatus| perfbudget::crash::guard(run, ExitStatus::Untrusted);
    assert_eq!(guard(|| ExitStatus::Pass), ExitStatus::Pass);
    assert_eq!(guard(|| ExitStatus::Fail), ExitStatus::Fail);
    let status = guard(|| {
        let empty: Vec<u8> = Vec::new();
        if empty[usize::from(empty.is_empty())] > 0 { ExitStatus::Fail } else { ExitStatus::Pass }
    });
    assert_eq!(status, ExitStatus::Untrusted);
    assert_eq!(ExitCode::from(status), ExitCode::from(2));
}

#[test]
fn each_status_is_its_documented_code() {
    for (status, code) in [(ExitStatus::Pass, 0), (ExitStatus::Fail, 1), (ExitStatus::Untrusted, 2)] {
        assert_eq!(ExitCode::from(status), ExitCode::from(code), "{status:?}");
    }
}
