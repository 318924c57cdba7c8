//! A panic anywhere ends the run with exit code 2, never 0, 1 or Rust's 101. (Its own test
//! binary: the guard installs a process-wide panic hook.)

#[test]
fn a_panic_exits_2_and_a_normal_run_keeps_its_code() {
    assert_eq!(perfbudget::crash::guard(|| 0), 0);
    assert_eq!(perfbudget::crash::guard(|| 1), 1);
    let code = perfbudget::crash::guard(|| {
        let empty: Vec<u8> = Vec::new();
        u8::from(empty[usize::from(empty.is_empty())] > 0)
    });
    assert_eq!(code, perfbudget::crash::UNTRUSTED);
}
