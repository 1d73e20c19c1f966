//! The planner's tables: every case of issue 16, one way and two-way.

use super::*;
use crate::protocol::listing::TimePrecision;

/// A tree from `(path, spec)` rows: `d` a folder, `l` a link, `u` an unsafe
/// name, `SIZE@HH:MM:SS` a file changed then (to the second), `SIZE@HH:MM`
/// one listed to the minute, `SIZE@MM-DD` one listed to the day.
fn tree(rows: &[(&str, &str)]) -> Tree {
    let mut tree = Tree::new();
    for &(path, spec) in rows {
        let entry = match spec {
            "d" => Entry::folder(),
            "l" => Entry {
                kind: Kind::Link,
                ..Entry::folder()
            },
            "u" => Entry {
                unsafe_name: true,
                ..Entry::file(1, None)
            },
            _ => {
                let (size, time) = spec.split_once('@').unwrap_or((spec, ""));
                let size: u64 = size.parse().expect("size");
                Entry::file(size, stamp(time))
            }
        };
        tree.insert(path, entry);
    }
    tree
}

fn stamp(time: &str) -> Option<Stamp> {
    let parse = |text: &str, format: &str| {
        chrono::NaiveDateTime::parse_from_str(text, format).expect("time")
    };
    Some(match time.len() {
        0 => return None,
        8 => Stamp::seconds(parse(&format!("2026-12-06 {time}"), "%Y-%m-%d %H:%M:%S")),
        5 if time.contains(':') => Stamp {
            at: parse(&format!("2026-12-06 {time}:00"), "%Y-%m-%d %H:%M:%S"),
            precision: TimePrecision::Minute,
        },
        _ => Stamp {
            at: parse(&format!("2026-{time} 00:00:00"), "%Y-%m-%d %H:%M:%S"),
            precision: TimePrecision::Day,
        },
    })
}

fn show(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| format!("{} {} {}", s.action.name(), s.path, s.reason.name()))
        .collect()
}

fn options(compare: Compare, delete: bool, excludes: &[&str]) -> PlanOptions {
    let globs: Vec<String> = excludes.iter().map(|s| s.to_string()).collect();
    PlanOptions {
        compare,
        delete,
        excludes: Excludes::new(&globs).expect("globs"),
    }
}

type Rows<'a> = &'a [(&'a str, &'a str)];

#[test]
fn one_way_tables() {
    use Compare::*;
    use Direction::*;
    // (case, local, remote, direction, compare, --delete, excludes, expected)
    #[allow(clippy::type_complexity)]
    let cases: &[(&str, Rows, Rows, Direction, Compare, bool, &[&str], &[&str])] = &[
        (
            "missing remotely",
            &[("a", "5@09:00:00")],
            &[],
            Upload,
            SizeTime,
            false,
            &[],
            &["upload a missing"],
        ),
        (
            "missing locally",
            &[],
            &[("a", "5@09:00")],
            Download,
            SizeTime,
            false,
            &[],
            &["download a missing"],
        ),
        (
            "newer locally",
            &[("a", "5@09:20:00")],
            &[("a", "5@09:15")],
            Upload,
            SizeTime,
            false,
            &[],
            &["upload a newer"],
        ),
        (
            "older locally",
            &[("a", "5@09:10:00")],
            &[("a", "5@09:15")],
            Upload,
            SizeTime,
            false,
            &[],
            &[],
        ),
        (
            "same minute is not newer",
            &[("a", "5@09:15:42")],
            &[("a", "5@09:15")],
            Upload,
            SizeTime,
            false,
            &[],
            &[],
        ),
        (
            "same size and time",
            &[("a", "5@09:15:00")],
            &[("a", "5@09:15:00")],
            Download,
            SizeTime,
            false,
            &[],
            &[],
        ),
        (
            "different size",
            &[("a", "5@09:15:00")],
            &[("a", "6@09:00")],
            Download,
            SizeTime,
            false,
            &[],
            &["download a size"],
        ),
        (
            "size only ignores time",
            &[("a", "5@09:00:00")],
            &[("a", "5@10:00")],
            Download,
            Size,
            false,
            &[],
            &[],
        ),
        (
            "time only ignores size",
            &[("a", "5@11:00:00")],
            &[("a", "6@10:00")],
            Download,
            Time,
            false,
            &[],
            &[],
        ),
        (
            "day precision: same day is equal",
            &[("a", "5@09:00:00")],
            &[("a", "5@12-06")],
            Download,
            SizeTime,
            false,
            &[],
            &[],
        ),
        (
            "day precision: a later day is newer",
            &[("a", "5@09:00:00")],
            &[("a", "5@12-07")],
            Download,
            SizeTime,
            false,
            &[],
            &["download a newer"],
        ),
        (
            "checksum unknown falls back to size",
            &[("a", "5@09:00:00")],
            &[("a", "5@10:00")],
            Download,
            Checksum,
            false,
            &[],
            &[],
        ),
        (
            "extra on DEST stays without --delete",
            &[],
            &[("a", "5@09:00")],
            Upload,
            SizeTime,
            false,
            &[],
            &[],
        ),
        (
            "extra on DEST goes with --delete",
            &[],
            &[("a", "5@09:00"), ("d", "d"), ("d/b", "1@09:00")],
            Upload,
            SizeTime,
            true,
            &[],
            &[
                "delete-remote a missing",
                "delete-remote d missing",
                "delete-remote d/b missing",
            ],
        ),
        (
            "folder made before its files",
            &[("d", "d"), ("d/a", "1@09:00:00")],
            &[],
            Upload,
            SizeTime,
            false,
            &[],
            &["mkdir-remote d missing", "upload d/a missing"],
        ),
        (
            "a file against a folder is a conflict",
            &[("a", "d"), ("a/x", "1@09:00:00")],
            &[("a", "5@09:00")],
            Upload,
            SizeTime,
            true,
            &[],
            &["conflict a kind"],
        ),
        (
            "unsafe name skipped",
            &[],
            &[("bad", "u")],
            Download,
            SizeTime,
            true,
            &[],
            &["skip bad unsafe-name"],
        ),
        (
            "unsafe name not deleted either",
            &[],
            &[("bad", "u")],
            Upload,
            SizeTime,
            true,
            &[],
            &["skip bad unsafe-name"],
        ),
        (
            "links are not followed",
            &[("ln", "l")],
            &[],
            Upload,
            SizeTime,
            false,
            &[],
            &["skip ln link"],
        ),
        (
            "excluded by name at any depth",
            &[("d", "d"), ("d/x.log", "1@09:00:00")],
            &[("d", "d")],
            Upload,
            SizeTime,
            false,
            &["*.log"],
            &["skip d/x.log excluded"],
        ),
        (
            "excluded folder: nothing below",
            &[("cache", "d"), ("cache/a", "1@09:00:00")],
            &[],
            Upload,
            SizeTime,
            false,
            &["cache"],
            &["skip cache excluded"],
        ),
        (
            "excluded by path",
            &[("a", "d"), ("a/b", "1@09:00:00"), ("b", "1@09:00:00")],
            &[],
            Upload,
            SizeTime,
            false,
            &["a/b"],
            &[
                "mkdir-remote a missing",
                "skip a/b excluded",
                "upload b missing",
            ],
        ),
        (
            "excluded is never deleted",
            &[],
            &[("keep.log", "1@09:00")],
            Upload,
            SizeTime,
            true,
            &["*.log"],
            &["skip keep.log excluded"],
        ),
        (
            "a folder with an excluded file stays",
            &[],
            &[("d", "d"), ("d/k.log", "1@09:00"), ("d/x", "1@09:00")],
            Upload,
            SizeTime,
            true,
            &["*.log"],
            &["skip d/k.log excluded", "delete-remote d/x missing"],
        ),
    ];
    for (case, local, remote, direction, compare, delete, excludes, want) in cases {
        let got = plan(
            &tree(local),
            &tree(remote),
            *direction,
            &options(*compare, *delete, excludes),
            None,
        );
        assert_eq!(show(&got), *want, "{case}");
    }
}

#[test]
fn checksums_decide_when_both_sides_have_one() {
    let mut local = tree(&[("a", "5@09:00:00"), ("b", "5@09:00:00")]);
    let mut remote = tree(&[("a", "5@09:00:00"), ("b", "5@09:00:00")]);
    for (tree, a, b) in [(&mut local, "1", "2"), (&mut remote, "1", "3")] {
        let mut set = |path: &str, sum: &str| {
            let mut e = tree.get(path).expect("entry").clone();
            e.checksum = Some(format!("SHA-256:{sum}"));
            tree.insert(path, e);
        };
        set("a", a);
        set("b", b);
    }
    let got = plan(
        &local,
        &remote,
        Direction::Upload,
        &options(Compare::Checksum, false, &[]),
        None,
    );
    assert_eq!(show(&got), ["upload b checksum"]);
}

/// The state a sync of `local` and `remote` leaves, as the CLI records it.
fn state(local: Rows, remote: Rows) -> SyncState {
    SyncState::of("/l", "ftp://h/r", &tree(local), &tree(remote))
}

#[test]
fn two_way_tables() {
    // (case, last sync's local, its remote (None: no state), local now, remote now, expected)
    #[allow(clippy::type_complexity)]
    let cases: &[(&str, Option<(Rows, Rows)>, Rows, Rows, &[&str])] = &[
        (
            "first sync copies both ways",
            None,
            &[("a", "1@09:00:00"), ("d", "d"), ("d/x", "1@09:00:00")],
            &[("b", "2@09:00"), ("e", "d")],
            &[
                "upload a missing",
                "download b missing",
                "mkdir-remote d missing",
                "upload d/x missing",
                "mkdir-local e missing",
            ],
        ),
        (
            "first sync: the newer side wins",
            None,
            &[("a", "1@09:00:00"), ("b", "1@11:00:00")],
            &[("a", "2@10:00"), ("b", "2@10:00")],
            &["download a newer", "upload b newer"],
        ),
        (
            "first sync: equal files stay",
            None,
            &[("a", "5@09:15:30")],
            &[("a", "5@09:15")],
            &[],
        ),
        (
            "first sync never deletes",
            None,
            &[],
            &[("a", "1@09:00"), ("d", "d")],
            &["download a missing", "mkdir-local d missing"],
        ),
        (
            "nothing changed",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "1@09:00:00")],
            &[("a", "1@09:05")],
            &[],
        ),
        (
            "changed locally",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "2@08:00:00")],
            &[("a", "1@09:05")],
            &["upload a newer"],
        ),
        (
            "changed remotely",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "1@09:00:00")],
            &[("a", "1@09:07")],
            &["download a newer"],
        ),
        (
            "changed on both sides",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "2@10:00:00")],
            &[("a", "3@10:01")],
            &["conflict a changed-both"],
        ),
        (
            "deleted locally: deleted remotely, not brought back",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[],
            &[("a", "1@09:05")],
            &["delete-remote a deleted"],
        ),
        (
            "deleted remotely: deleted locally",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "1@09:00:00")],
            &[],
            &["delete-local a deleted"],
        ),
        (
            "deleted remotely but changed locally: the change wins",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "4@10:00:00")],
            &[],
            &["upload a newer"],
        ),
        (
            "a folder deleted locally goes remotely",
            Some((
                &[("d", "d"), ("d/x", "1@09:00:00")],
                &[("d", "d"), ("d/x", "1@09:05")],
            )),
            &[],
            &[("d", "d"), ("d/x", "1@09:05")],
            &["delete-remote d deleted", "delete-remote d/x deleted"],
        ),
        (
            "a folder deleted locally stays for a file changed remotely",
            Some((
                &[("d", "d"), ("d/x", "1@09:00:00"), ("d/y", "1@09:00:00")],
                &[("d", "d"), ("d/x", "1@09:05"), ("d/y", "1@09:05")],
            )),
            &[],
            &[("d", "d"), ("d/x", "1@09:05"), ("d/y", "2@09:30")],
            &[
                "mkdir-local d newer",
                "delete-remote d/x deleted",
                "download d/y newer",
            ],
        ),
        (
            "new files beside a state",
            Some((&[("a", "1@09:00:00")], &[("a", "1@09:05")])),
            &[("a", "1@09:00:00"), ("n", "1@10:00:00")],
            &[("a", "1@09:05"), ("m", "1@10:00")],
            &["upload n missing", "download m missing"],
        ),
        (
            "excluded is left alone both ways",
            Some((&[("a.log", "1@09:00:00")], &[("a.log", "1@09:05")])),
            &[],
            &[("a.log", "1@09:05")],
            &["skip a.log excluded"],
        ),
    ];
    for (case, last, local, remote, want) in cases {
        let last = last.map(|(l, r)| state(l, r));
        let excludes: &[&str] = if case.starts_with("excluded") {
            &["*.log"]
        } else {
            &[]
        };
        let got = plan(
            &tree(local),
            &tree(remote),
            Direction::TwoWay,
            &options(Compare::SizeTime, false, excludes),
            last.as_ref(),
        );
        let mut got = show(&got);
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{case}");
    }
}

#[test]
fn the_summary_counts_and_sums() {
    let got = plan(
        &tree(&[("a", "10@09:00:00"), ("d", "d"), ("x.log", "1@09:00:00")]),
        &tree(&[("b", "7@09:00")]),
        Direction::Upload,
        &options(Compare::SizeTime, true, &["*.log"]),
        None,
    );
    let summary = got.summary();
    assert_eq!((summary.upload, summary.upload_bytes), (1, 10));
    assert_eq!(summary.delete_remote, 1);
    assert_eq!(summary.mkdir_remote, 1);
    assert_eq!(summary.excluded, 1);
    assert!(!got.is_empty() && !got.leaves_something());
}

#[test]
fn a_state_survives_its_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = SyncState::path_in(dir.path(), "/l", "ftp://h/r");
    assert!(SyncState::load(&path).expect("none").is_none());
    let kept = state(
        &[("a", "1@09:00:00"), ("d", "d")],
        &[("a", "1@09:05"), ("d", "d")],
    );
    kept.save(&path).expect("save");
    assert_eq!(SyncState::load(&path).expect("load"), Some(kept));
    std::fs::write(&path, b"{ torn").expect("tear");
    assert!(SyncState::load(&path).is_err());
    assert!(SyncState::load(&path).expect("set aside").is_none());
}

#[test]
fn a_hundred_thousand_entries_plan_quickly() {
    let mut local = Tree::new();
    let mut remote = Tree::new();
    for folder in 0..100 {
        local.insert(format!("d{folder}"), Entry::folder());
        remote.insert(format!("d{folder}"), Entry::folder());
        for file in 0..1000 {
            let path = format!("d{folder}/f{file}");
            local.insert(path.clone(), Entry::file(file, stamp("09:00:00")));
            if file % 2 == 0 {
                remote.insert(path, Entry::file(file, stamp("09:00")));
            }
        }
    }
    let started = std::time::Instant::now();
    let got = plan(
        &local,
        &remote,
        Direction::Upload,
        &options(Compare::SizeTime, true, &[]),
        None,
    );
    assert_eq!(got.summary().upload, 50_000);
    // Debug builds are slow; this catches a quadratic walk, not a few percent.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn difference_tells_how_two_files_compare() {
    use Compare::{Size, SizeTime, Time};
    let cases = [
        // (this, other, compare, want)
        ("3@09:15:42", "3@09:15:42", SizeTime, Difference::Same),
        ("3@09:15:59", "3@09:15", SizeTime, Difference::Same),
        ("3@09:16:01", "3@09:15", SizeTime, Difference::Newer),
        ("3@09:14:59", "3@09:15", SizeTime, Difference::Older),
        ("3@09:15:42", "4@09:15:42", SizeTime, Difference::Size),
        ("3@10:00:00", "4@09:00:00", SizeTime, Difference::Size),
        ("3@10:00:00", "3@09:00:00", Size, Difference::Same),
        ("3@09:00:00", "4@09:00:00", Time, Difference::Same),
        ("3@10:00:00", "4@09:00:00", Time, Difference::Newer),
        ("3@23:59:59", "3@12-06", SizeTime, Difference::Same),
        ("3", "3@09:00:00", SizeTime, Difference::Same),
    ];
    for (this, other, compare, want) in cases {
        let entry = |spec: &str| {
            let t = tree(&[("f", spec)]);
            t.get("f").cloned().expect("entry")
        };
        assert_eq!(
            difference(&entry(this), &entry(other), compare),
            want,
            "{this} vs {other} by {compare:?}"
        );
    }
}

#[test]
fn children_are_a_folders_own_entries_only() {
    let t = tree(&[
        ("a", "d"),
        ("a.txt", "1"),
        ("a/b", "d"),
        ("a/b/c", "1"),
        ("a/x", "1"),
        ("a0", "1"),
        ("b", "1"),
    ]);
    let names = |folder: &str| -> Vec<&str> { t.children(folder).iter().map(|c| c.0).collect() };
    assert_eq!(names(""), ["a", "a.txt", "a0", "b"]);
    assert_eq!(names("a"), ["a/b", "a/x"]);
    assert_eq!(names("a/b"), ["a/b/c"]);
    assert!(names("b").is_empty());
}

/// One way, a folder planned on its own entries (as the streaming walk
/// plans each folder as it is listed) gets the whole plan's steps for
/// them: the whole plan is the folders' plans joined, deletions aside.
#[test]
fn one_way_folder_by_folder_is_the_whole_plan() {
    let local = tree(&[
        ("a", "d"),
        ("a/f", "3@09:00:00"),
        ("a/g", "4@10:00:00"),
        ("b", "d"),
        ("b/c", "d"),
        ("b/c/h", "5@09:00:00"),
        ("k", "d"),
        ("k/in", "1@09:00:00"),
        ("top", "1@09:00:00"),
    ]);
    let remote = tree(&[
        ("a", "d"),
        ("a/f", "3@09:00"),
        ("a/g", "4@09:00"),
        ("k", "1@09:00"),
        ("old", "d"),
        ("old/x", "1@09:00"),
    ]);
    for (direction, delete) in [
        (Direction::Upload, false),
        (Direction::Upload, true),
        (Direction::Download, false),
        (Direction::Download, true),
    ] {
        let options = PlanOptions {
            delete,
            ..PlanOptions::default()
        };
        let whole: Vec<Step> = plan(&local, &remote, direction, &options, None)
            .steps
            .into_iter()
            .filter(|s| !matches!(s.action, Action::DeleteLocal | Action::DeleteRemote))
            .collect();
        let mut joined = Vec::new();
        let mut folders = vec![String::new()];
        while let Some(folder) = folders.pop() {
            let part = |t: &Tree| {
                let mut part = Tree::new();
                for (path, entry) in t.children(&folder) {
                    part.insert(path, entry.clone());
                }
                part
            };
            let steps = plan(&part(&local), &part(&remote), direction, &options, None).steps;
            for step in steps {
                let into = matches!(step.action, Action::MkdirLocal | Action::MkdirRemote)
                    || (local
                        .get(&step.path)
                        .is_some_and(|e| e.kind == Kind::Folder)
                        && remote
                            .get(&step.path)
                            .is_some_and(|e| e.kind == Kind::Folder));
                if matches!(step.action, Action::DeleteLocal | Action::DeleteRemote) {
                    continue;
                }
                if into && !matches!(step.action, Action::Skip | Action::Conflict) {
                    folders.push(step.path.clone());
                }
                joined.push(step);
            }
            for (path, entry) in local.children(&folder) {
                let both = entry.kind == Kind::Folder
                    && remote.get(path).is_some_and(|e| e.kind == Kind::Folder);
                if both {
                    folders.push(path.to_string());
                }
            }
        }
        joined.sort_by(|a, b| a.path.cmp(&b.path).then(a.action.cmp(&b.action)));
        assert_eq!(joined, whole, "{direction:?}, delete {delete}");
    }
}
