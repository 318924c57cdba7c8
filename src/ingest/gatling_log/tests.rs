use super::*;

fn read(text: &str) -> Result<Vec<Measurement>, Error> {
    parse_all(text.as_bytes())
}

fn line_error(text: &str) -> (usize, String) {
    match read(text) {
        Err(Error::Line { line, message }) => (line, message),
        other => panic!("{other:?}"),
    }
}

/// The first lines of a real Gatling 3.5.1 log (tests/fixtures/gatling/apicurio-1u-10i).
const V35: &str = "RUN\tsimulations.End2EndSimulation\tend2endsimulation\t1633431461191\t \t3.5.1\n\
USER\tE2E Service Registry Simulation\tSTART\t1633431461838\n\
REQUEST\t\tCreate registry instance\t1633431461919\t1633431464867\tOK\t \n\
REQUEST\tg1,g2\tGet\t1633431464900\t1633431465000\tKO\tstatus.find.is(200), but actually found 404\n\
USER\tE2E Service Registry Simulation\tEND\t1633431466000\n";

fn stat(measurements: &[Measurement], metric: &str, name: &str, stat: &str) -> f64 {
    let m = measurements.iter().find(|m| m.metric == metric && m.subject.get(NAME_TAG) == Some(name));
    m.unwrap().distribution.as_ref().unwrap().stat(stat).unwrap()
}

#[test]
fn requests_become_raw_samples_per_name_and_group() {
    let measurements = read(V35).unwrap();
    // Per name: durations, failures, requests and the Apdex counts.
    assert_eq!(measurements.len(), 8);
    assert_eq!(stat(&measurements, HTTP_REQ_DURATION, "Create registry instance", "max"), 2948.0);
    assert_eq!(stat(&measurements, HTTP_REQ_FAILED, "Get", "rate"), 1.0);
    // 2 requests... each name's count over the run's span: 1633431461838 to 1633431466000 is 4.162 s, 5 whole s.
    assert_eq!(stat(&measurements, HTTP_REQS, "Get", "rate"), 0.2);
    let grouped = measurements.iter().find(|m| m.subject.get(NAME_TAG) == Some("Get")).unwrap();
    assert_eq!(grouped.subject.get(GROUP_TAG), Some("g1 / g2"));
    assert_eq!(grouped.source, "gatling");
}

#[test]
fn windows_line_ends_read_the_same() {
    let crlf = V35.replace('\n', "\r\n");
    assert_eq!(read(&crlf).unwrap(), read(V35).unwrap());
}

#[test]
fn only_the_budgeted_metrics_are_kept() {
    let wanted = [HTTP_REQ_FAILED.to_owned()].into();
    let measurements = parse(V35.as_bytes(), Some(&wanted), &[Thresholds::default()]).unwrap();
    assert!(measurements.iter().all(|m| m.metric == HTTP_REQ_FAILED), "{measurements:?}");
}

#[test]
fn older_layouts_read_by_their_run_record() {
    // Gatling 3.2 (a user id after REQUEST and USER) and 2.x (scenario and user id, extra columns).
    let v32 = "RUN\tportal.BasicSimulation\tbasicsimulation\t1589789493311\t \t3.2.0\n\
USER\tBasicSimulation\t1\tSTART\t1589789494750\t1589789494750\n\
REQUEST\t1\t\trequest_1\t1589789494795\t1589789495139\tOK\t \n\
USER\tBasicSimulation\t1\tEND\t1589789494750\t1589789500609\n";
    let measurements = read(v32).unwrap();
    assert_eq!(stat(&measurements, HTTP_REQ_DURATION, "request_1", "avg"), 344.0);
    assert_eq!(stat(&measurements, HTTP_REQS, "request_1", "rate"), 1.0 / 6.0);
    let v2 = "RUN\tlogin\t\tlogin\t1533979344468\t \t2.0\n\
USER\tlogin\t1\tSTART\t1533979344571\t1533979344571\n\
REQUEST\tlogin\t1\t\tget token\t1533979344600\t1533979344700\tOK\t \textra\n\
GROUP\tsome error message\t1533979344800\n\
USER\tlogin\t1\tEND\t1533979344571\t1533979345000\n";
    let measurements = read(v2).unwrap();
    assert_eq!(stat(&measurements, HTTP_REQ_DURATION, "get token", "p(95)"), 100.0);
}

#[test]
fn broken_lines_are_errors_naming_the_line() {
    let cut = V35.replacen("\tOK\t \n", "\tOK\n", 1);
    let (line, message) = line_error(&cut);
    assert_eq!(line, 3);
    assert_eq!(message, "a REQUEST record of 6 columns, where Gatling 3.4 to 3.12 writes 7 (a line cut short?)");
    let (line, message) = line_error(&V35.replace("1633431464867", "16334314x4867"));
    assert_eq!((line, message.as_str()), (3, "the end time \"16334314x4867\" is not a whole number of ms"));
    let (line, message) = line_error(&V35.replace("\tKO\t", "\tMAYBE\t"));
    assert_eq!((line, message.as_str()), (4, "the status is \"MAYBE\", not OK or KO"));
    let (line, message) = line_error(&format!("{V35}RESPONSE\t\tx\n"));
    assert_eq!((line, message.as_str()), (6, "an unknown record type \"RESPONSE\""));
    let (line, message) = line_error(&V35.replace("1633431461919\t1633431464867", "1633431464867\t1633431461919"));
    assert_eq!((line, message.as_str()), (3, "the request ends at 1633431461919, before it starts at 1633431464867"));
}

#[test]
fn a_log_cut_short_is_an_error() {
    let cut = &V35[..V35.len() - 1];
    let (line, message) = line_error(cut);
    assert_eq!(line, 5);
    assert!(message.starts_with("the last line has no line end"), "{message}");
    let (line, message) = line_error("USER\tx\tSTART\t1\n");
    assert_eq!((line, message.as_str()), (1, "\"USER\" before the RUN record, which Gatling writes first"));
    match read("RUN\tc\tid\t1\t \t3.5.1\nUSER\tx\tSTART\t1\n") {
        Err(Error::Refused(message)) => assert!(message.contains("no REQUEST record"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn versions_outside_the_text_layouts_are_refused() {
    let (_, message) = line_error("RUN\tc\tid\t1\t \t3.13.0\n");
    assert!(message.contains("Gatling \"3.13.0\""), "{message}");
    let (_, message) = line_error("c\tid\tRUN\t1\t \t2.0\n");
    assert!(message.contains("Gatling 2.0 or 2.1"), "{message}");
}

#[test]
fn a_binary_log_is_detected_and_refused_by_name() {
    let mut bytes = vec![0, 0, 0, 0, 6];
    bytes.extend_from_slice(b"3.13.1\0");
    bytes.extend_from_slice(&[0, 0, 0, 5, b'x', 0, 0, 0, 1, 0x7f]);
    assert_eq!(GatlingLog.detect(&Head::new(bytes.clone())), Detection::Certain);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simulation.log");
    std::fs::write(&path, &bytes).unwrap();
    let error = GatlingLog.read(&path, &Options::default()).unwrap_err().in_file(&path).to_string();
    assert!(error.starts_with(&format!("{}: a binary simulation.log (Gatling 3.13.1)", path.display())), "{error}");
}

#[test]
fn gzip_logs_read_as_plain_ones() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simulation.log.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(V35.as_bytes()).unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    assert_eq!(GatlingLog.detect(&Head::read(&path).unwrap()), Detection::Certain);
    assert_eq!(GatlingLog.read(&path, &Options::default()).unwrap(), read(V35).unwrap());
}

/// Apdex from a real log (tests/fixtures/gatling/apicurio-10u-600i) equals a count made here
/// from its REQUEST records (end − start; KO counts as frustrated, as for JMeter), per name
/// and over every request (Gatling's global row: the names' counts merged).
#[test]
fn apdex_of_a_real_log_equals_a_count_of_its_requests() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gatling/apicurio-10u-600i/simulation.log");
    let text = std::fs::read_to_string(path).unwrap();
    let thresholds = Thresholds { satisfied_ms: 40.0, tolerated_ms: 160.0 };
    let wanted = [APDEX.to_owned()].into();
    let measurements = parse(text.as_bytes(), Some(&wanted), &[thresholds]).unwrap();
    assert!(measurements.iter().all(|m| m.metric == APDEX), "only apdex is kept");
    let mut expected: HashMap<String, (u64, u64, u64)> = HashMap::new();
    for fields in text.lines().map(|line| line.split('\t').collect::<Vec<_>>()).filter(|f| f[0] == "REQUEST") {
        let elapsed = fields[4].parse::<u64>().unwrap() - fields[3].parse::<u64>().unwrap();
        let counts = expected.entry(fields[2].to_owned()).or_default();
        counts.2 += 1;
        if fields[5] == "OK" {
            if elapsed as f64 <= thresholds.satisfied_ms {
                counts.0 += 1;
            } else if elapsed as f64 <= thresholds.tolerated_ms {
                counts.1 += 1;
            }
        }
    }
    let score =
        |(satisfied, tolerated, total): (u64, u64, u64)| (satisfied as f64 + tolerated as f64 / 2.0) / total as f64;
    let mut parts: Vec<&Distribution> = Vec::new();
    for (name, counts) in &expected {
        let measurement = measurements.iter().find(|m| m.subject.get(NAME_TAG) == Some(name.as_str())).unwrap();
        let distribution = measurement.distribution.as_ref().unwrap();
        assert_eq!(distribution.stat(&thresholds.stat()).unwrap(), score(*counts), "{name}");
        parts.push(distribution);
    }
    let all = expected.values().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    assert!(all.1 > 0 && all.0 < all.2, "the thresholds split this log: {all:?}");
    assert_eq!(Distribution::merge(&parts).unwrap().stat(&thresholds.stat()).unwrap(), score(all));
}
