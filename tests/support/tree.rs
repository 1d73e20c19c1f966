//! Local folder trees for tests that compare what a transfer or a sync left
//! on disk: every path below a root with its bytes, and writing one file
//! with its parent folders.

#![allow(dead_code)] // each test binary uses only part of the support code

use std::collections::BTreeMap;
use std::path::Path;

/// Every path below `root` (relative, as the system spells it): a folder
/// maps to `None`, a file to its bytes.
pub fn files(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for item in std::fs::read_dir(&dir).expect("read_dir") {
            let path = item.expect("entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("below")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
                out.insert(rel, None);
            } else {
                out.insert(rel, Some(std::fs::read(&path).expect("read")));
            }
        }
    }
    out
}

/// Writes `root/rel`, making its parent folders.
pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}
