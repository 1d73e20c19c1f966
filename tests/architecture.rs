//! The house rules that a reviewer would otherwise check by hand, read from
//! the source itself: no import cycle between the modules of `src/`, no file
//! over 800 lines before its tests, and nothing in the window that imports
//! the command line (ARCHITECTURE.md, "Code map").
//!
//! The module graph is built from `use` paths and qualified paths that start
//! with `crate::`, `super::` or `self::` (comments and `#[cfg(test)]` modules
//! left out); a path names the longest module it reaches. A module and its
//! own descendants may use each other (a `mod.rs` re-exports its children).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most lines a file may have before its tests.
const MAX_LINES: usize = 800;

struct Module {
    file: PathBuf,
    /// The source before its `#[cfg(test)]` module, comment lines left out.
    code: String,
    /// Lines before the tests, comments included.
    lines: usize,
}

fn modules() -> BTreeMap<String, Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        let mut parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let before_tests = &text[..test_code_start(&text)];
        let code = before_tests
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        out.insert(
            parts.join("::"),
            Module {
                file: file.clone(),
                code,
                lines: before_tests.lines().count(),
            },
        );
    }
    out
}

/// Where a file's test code starts: the first `#[cfg(test)]` followed by
/// an inline module (`mod tests {`, `mod testkit {`), or the end.
fn test_code_start(text: &str) -> usize {
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]\n") {
        let at = from + at;
        let next = text[at..].lines().nth(1).unwrap_or("");
        if next.trim_start().starts_with("mod ") && next.trim_end().ends_with('{') {
            return at;
        }
        from = at + 1;
    }
    text.len()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every path in `code` that starts with `crate`, `super` or `self`, with
/// `use a::{b, c::d}` groups expanded one level.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let prefixes: [&[u8]; 3] = [b"crate::", b"super::", b"self::"];
        let starts = (i == 0 || !is_ident(bytes[i - 1]))
            && prefixes.iter().any(|p| bytes[i..].starts_with(p));
        if !starts {
            i += 1;
            continue;
        }
        let mut segs = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            segs.push(code[start..j].to_string());
            if bytes[j..].starts_with(b"::") && j + 2 < bytes.len() && is_ident(bytes[j + 2]) {
                j += 2;
            } else {
                break;
            }
        }
        if bytes[j..].starts_with(b"::{") {
            let close = code[j..].find('}').map_or(code.len(), |c| j + c);
            for item in code[j + 3..close].split(',') {
                let item: Vec<String> = item
                    .trim()
                    .split(" as ")
                    .next()
                    .unwrap_or("")
                    .split("::")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty() && !s.starts_with('{'))
                    .collect();
                let mut full = segs.clone();
                full.extend(item);
                out.push(full);
            }
        }
        out.push(segs);
        i = j.max(i + 1);
    }
    out
}

/// The module a path from module `from` reaches.
fn resolve(
    from: &str,
    is_dir_module: bool,
    path: &[String],
    names: &BTreeSet<String>,
) -> Option<String> {
    let mut base: Vec<String> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").map(str::to_string).collect()
    };
    let mut segs = path;
    match segs.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            segs = &segs[1..];
        }
        Some("self") => {
            if !is_dir_module {
                base.pop();
            }
            segs = &segs[1..];
        }
        Some("super") => {
            // A file module's `super` is its parent; so is a folder module's.
            base.pop();
            segs = &segs[1..];
            while segs.first().map(String::as_str) == Some("super") {
                base.pop();
                segs = &segs[1..];
            }
        }
        _ => return None,
    }
    let mut best = None;
    for n in 0..=segs.len() {
        let mut candidate = base.clone();
        candidate.extend(segs[..n].iter().cloned());
        let name = candidate.join("::");
        if names.contains(&name) {
            best = Some(name);
        }
    }
    best
}

fn graph(modules: &BTreeMap<String, Module>) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (name, module) in modules {
        let is_dir_module = module
            .file
            .file_name()
            .is_some_and(|f| f == "mod.rs" || f == "lib.rs" || f == "main.rs");
        let mut to = BTreeSet::new();
        for path in paths(&module.code) {
            // `self::x` in a file module means the file itself.
            let path = if path.first().map(String::as_str) == Some("self") && !is_dir_module {
                let mut p = vec!["crate".to_string()];
                p.extend(name.split("::").map(str::to_string));
                p.extend(path[1..].iter().cloned());
                p
            } else {
                path
            };
            if let Some(target) = resolve(name, is_dir_module, &path, &names) {
                let related = target == *name
                    || target.is_empty()
                    || name.starts_with(&format!("{target}::"))
                    || target.starts_with(&format!("{name}::"));
                if !related {
                    to.insert(target);
                }
            }
        }
        edges.insert(name.clone(), to);
    }
    edges
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(v: &'a str, s: &mut State<'a>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w.as_str()) {
                visit(w, s);
                let low = s.low[v].min(s.low[w.as_str()]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.low[v].min(s.index[w.as_str()]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(v, &mut state);
        }
    }
    state.out
}

#[test]
fn no_module_imports_another_that_imports_it_back() {
    let modules = modules();
    let edges = graph(&modules);
    // The checker itself can fail: a known edge is found.
    assert!(
        edges["engine::ftp"].contains("engine::control"),
        "the import graph is read: {:?}",
        edges["engine::ftp"]
    );
    assert_eq!(cycles(&edges), Vec::<Vec<String>>::new(), "import cycles");
}

#[test]
fn no_file_passes_800_lines_before_its_tests() {
    let long: Vec<(String, usize)> = modules()
        .into_iter()
        .filter(|(_, m)| m.lines > MAX_LINES)
        .map(|(name, m)| (name, m.lines))
        .collect();
    assert_eq!(
        long,
        Vec::new(),
        "files over {MAX_LINES} lines before their tests"
    );
}

#[test]
fn the_window_never_imports_the_command_line() {
    let modules = modules();
    let edges = graph(&modules);
    let offenders: Vec<&String> = edges
        .iter()
        .filter(|(from, to)| {
            from.starts_with("ui") && to.iter().any(|t| t == "cli" || t.starts_with("cli::"))
        })
        .map(|(from, _)| from)
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert("a".into(), ["b".to_string()].into());
    edges.insert("b".into(), ["c".to_string()].into());
    edges.insert("c".into(), ["a".to_string()].into());
    edges.insert("d".into(), ["a".to_string()].into());
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c"]]);
    let paths = paths("use super::{a::B, c};\nlet x = crate::engine::tls::X;");
    assert!(paths.contains(&vec!["super".into(), "a".into(), "B".into()]));
    assert!(paths.contains(&vec![
        "crate".to_string(),
        "engine".into(),
        "tls".into(),
        "X".into()
    ]));
}
