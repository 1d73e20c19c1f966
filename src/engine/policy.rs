//! What to do when a transfer's target already exists. Pure decisions.

use chrono::NaiveDateTime;

/// The user's choice for existing targets (FileZilla's set, minus "ask",
/// which is the GUI's dialog and resolves to one of these).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ExistsPolicy {
    /// Replace the target.
    Overwrite,
    /// Replace it if the source is newer.
    #[value(name = "newer")]
    OverwriteIfNewer,
    /// Replace it if the sizes differ.
    #[value(name = "size")]
    OverwriteIfSizeDiffers,
    /// Replace it if the sizes differ or the source is newer.
    #[value(name = "size-or-newer")]
    OverwriteIfSizeDiffersOrNewer,
    /// Continue from the target's size.
    Resume,
    /// Keep both: the new file gets a free name such as `name (1).ext`.
    Rename,
    /// Leave the target alone and say so.
    #[default]
    Skip,
}

/// Size and modification time of one side, as far as known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileFacts {
    /// Size in bytes.
    pub size: Option<u64>,
    /// Modification time (UTC).
    pub modified: Option<NaiveDateTime>,
}

/// What a transfer does with an existing target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Transfer the whole file, replacing the target.
    Replace,
    /// Continue from this offset.
    Resume(u64),
    /// Transfer to a new name beside the target.
    Rename,
    /// Leave it.
    Skip,
}

/// Decides for one existing target.
pub fn decide(policy: ExistsPolicy, source: FileFacts, target: FileFacts) -> Decision {
    let newer = match (source.modified, target.modified) {
        (Some(s), Some(t)) => s > t,
        // Unknown times: "newer" cannot be shown, so the target is kept.
        _ => false,
    };
    let size_differs = match (source.size, target.size) {
        (Some(s), Some(t)) => s != t,
        _ => true,
    };
    match policy {
        ExistsPolicy::Overwrite => Decision::Replace,
        ExistsPolicy::OverwriteIfNewer if newer => Decision::Replace,
        ExistsPolicy::OverwriteIfSizeDiffers if size_differs => Decision::Replace,
        ExistsPolicy::OverwriteIfSizeDiffersOrNewer if size_differs || newer => Decision::Replace,
        ExistsPolicy::Resume => match (source.size, target.size) {
            (Some(s), Some(t)) if t == s => Decision::Skip,
            (Some(s), Some(t)) if t < s => Decision::Resume(t),
            // The target is larger than the source, or sizes are unknown: start over.
            _ => Decision::Replace,
        },
        ExistsPolicy::Rename => Decision::Rename,
        _ => Decision::Skip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(size: u64, day: u32) -> FileFacts {
        FileFacts {
            size: Some(size),
            modified: chrono::NaiveDate::from_ymd_opt(2024, 1, day)
                .and_then(|d| d.and_hms_opt(0, 0, 0)),
        }
    }

    #[test]
    fn decisions_table() {
        use Decision as D;
        use ExistsPolicy as P;
        let cases = [
            (P::Overwrite, facts(1, 1), facts(1, 2), D::Replace),
            (P::OverwriteIfNewer, facts(1, 3), facts(1, 2), D::Replace),
            (P::OverwriteIfNewer, facts(1, 1), facts(1, 2), D::Skip),
            (
                P::OverwriteIfNewer,
                FileFacts::default(),
                facts(1, 2),
                D::Skip,
            ),
            (
                P::OverwriteIfSizeDiffers,
                facts(2, 1),
                facts(1, 2),
                D::Replace,
            ),
            (P::OverwriteIfSizeDiffers, facts(1, 3), facts(1, 2), D::Skip),
            (
                P::OverwriteIfSizeDiffersOrNewer,
                facts(1, 3),
                facts(1, 2),
                D::Replace,
            ),
            (
                P::OverwriteIfSizeDiffersOrNewer,
                facts(1, 1),
                facts(1, 2),
                D::Skip,
            ),
            (P::Resume, facts(10, 1), facts(4, 2), D::Resume(4)),
            (P::Resume, facts(10, 1), facts(10, 2), D::Skip),
            (P::Resume, facts(10, 1), facts(12, 2), D::Replace),
            (P::Rename, facts(1, 1), facts(1, 1), D::Rename),
            (P::Skip, facts(2, 3), facts(1, 1), D::Skip),
        ];
        for (policy, source, target, expected) in cases {
            assert_eq!(decide(policy, source, target), expected, "{policy:?}");
        }
    }
}
