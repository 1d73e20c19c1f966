//! The window's message catalog: every word the window shows, in English
//! and Simplified Chinese, through Project Fluent (`fluent-bundle`).
//!
//! The catalogs are `i18n/en.ftl` and `i18n/zh-CN.ftl`, embedded at compile
//! time and parsed once, on first use. `tr!` formats one message in the
//! current language: `tr!("queue-tab-failed", count = n)`. Fluent picks the
//! plural form by CLDR's rules (English "one"/"other", Chinese "other").
//!
//! The language is a global ([`set_locale`], [`locale`]) read on every call,
//! so a change shows at the next frame. The window starts in
//! [`system_locale`] (`super::run`); the library alone, and so every test,
//! starts in English whatever the machine's `LANG`. A test that wants
//! another language sets it for its own thread with
//! [`LocaleOverride::on_this_thread`], so tests running in parallel never
//! see each other's language (kittest draws on the test's thread).
//!
//! A key missing from a catalog never panics: the English text is shown,
//! else the key itself, and the miss is logged once. Nothing here draws,
//! touches the disk or reads the environment except [`system_locale`].

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{LazyLock, Mutex};

/// The arguments of a message (what `tr!` builds).
pub use fluent_bundle::FluentArgs;

use crate::engine::wording::UserMessage;
use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use unic_langid::{LanguageIdentifier, langid};

/// A language of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// English (the fallback of every missing message).
    #[default]
    English,
    /// Simplified Chinese (`zh-CN`).
    ChineseSimplified,
}

impl Locale {
    /// Every language, English first.
    pub const ALL: [Locale; 2] = [Locale::English, Locale::ChineseSimplified];

    /// The BCP 47 tag: `"en"` or `"zh-CN"`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::English => "en",
            Locale::ChineseSimplified => "zh-CN",
        }
    }

    /// The language's own name, for a language menu: "English", "简体中文".
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::English => "English",
            Locale::ChineseSimplified => "简体中文",
        }
    }

    /// The language for a system locale name such as `zh_CN.UTF-8`, `zh-Hans`
    /// or `en-US`: any Chinese is Simplified Chinese, anything else English.
    pub fn from_tag(tag: &str) -> Locale {
        let language = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if language == "zh" {
            Locale::ChineseSimplified
        } else {
            Locale::English
        }
    }

    /// The catalog's Fluent source.
    pub fn catalog_source(self) -> &'static str {
        match self {
            Locale::English => include_str!("i18n/en.ftl"),
            Locale::ChineseSimplified => include_str!("i18n/zh-CN.ftl"),
        }
    }

    fn language_id(self) -> LanguageIdentifier {
        match self {
            Locale::English => langid!("en"),
            Locale::ChineseSimplified => langid!("zh-CN"),
        }
    }

    fn index(self) -> u8 {
        match self {
            Locale::English => 0,
            Locale::ChineseSimplified => 1,
        }
    }

    fn from_index(index: u8) -> Locale {
        match index {
            1 => Locale::ChineseSimplified,
            _ => Locale::English,
        }
    }
}

/// The window's language; English until [`set_locale`].
static LOCALE: AtomicU8 = AtomicU8::new(0);

thread_local! {
    /// A language for this thread only (tests), over [`LOCALE`].
    static THREAD_LOCALE: Cell<Option<Locale>> = const { Cell::new(None) };
}

/// Sets the window's language; it shows from the next frame on.
pub fn set_locale(locale: Locale) {
    LOCALE.store(locale.index(), Ordering::Relaxed);
}

/// The language messages are formatted in now (this thread's override, if
/// any, else the window's).
pub fn locale() -> Locale {
    THREAD_LOCALE
        .with(Cell::get)
        .unwrap_or_else(|| Locale::from_index(LOCALE.load(Ordering::Relaxed)))
}

/// The system's language: the first of `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`
/// and `LANG` on Unix, the user's UI language on Windows and macOS.
pub fn system_locale() -> Locale {
    sys_locale::get_locale().map_or(Locale::English, |tag| Locale::from_tag(&tag))
}

/// A language for the current thread only, until this guard is dropped.
#[derive(Debug)]
#[must_use = "the language reverts when the guard is dropped"]
pub struct LocaleOverride {
    previous: Option<Locale>,
}

impl LocaleOverride {
    /// Formats this thread's messages in `locale` until the guard drops.
    pub fn on_this_thread(locale: Locale) -> Self {
        let previous = THREAD_LOCALE.with(|l| l.replace(Some(locale)));
        Self { previous }
    }
}

impl Drop for LocaleOverride {
    fn drop(&mut self) {
        THREAD_LOCALE.with(|l| l.set(self.previous));
    }
}

/// The parsed catalogs, by [`Locale::index`].
struct Catalogs {
    bundles: Vec<FluentBundle<FluentResource>>,
}

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| Catalogs {
    bundles: Locale::ALL
        .into_iter()
        .map(|l| bundle(l, l.catalog_source()))
        .collect(),
});

/// Keys and errors logged already, so a miss is logged once, not per frame.
static LOGGED: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

fn bundle(locale: Locale, source: &str) -> FluentBundle<FluentResource> {
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => resource,
        // A broken entry is left out; the rest of the catalog still works.
        Err((resource, errors)) => {
            tracing::error!("the {} catalog has errors: {errors:?}", locale.code());
            resource
        }
    };
    let mut bundle = FluentBundle::new_concurrent(vec![locale.language_id()]);
    // Fluent wraps each argument in FSI/PDI marks for bidirectional text;
    // egui would draw them as boxes, and neither language needs them.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            "the {} catalog has duplicate keys: {errors:?}",
            locale.code()
        );
    }
    bundle
}

fn log_once(what: String) {
    let first = LOGGED
        .lock()
        .map(|mut logged| logged.insert(what.clone()))
        .unwrap_or(false);
    if first {
        tracing::warn!("{what}");
    }
}

/// An engine message (an error or an action, [`UserMessage`]) in the
/// current language; its keys are `engine::wording::KEYS`.
pub fn message(message: &UserMessage) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in &message.args {
        args.set(*name, value.clone());
    }
    text(message.key, Some(&args))
}

/// Message `key` in the current language (see [`locale`]).
pub fn text(key: &str, args: Option<&FluentArgs>) -> String {
    text_in(locale(), key, args)
}

/// Message `key` in `locale`; a message missing there is taken from
/// English, and one missing everywhere is shown as its key.
pub fn text_in(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    text_from(&CATALOGS.bundles, locale, key, args)
}

/// [`text_in`] over `bundles` (indexed by [`Locale::index`]).
fn text_from(
    bundles: &[FluentBundle<FluentResource>],
    locale: Locale,
    key: &str,
    args: Option<&FluentArgs>,
) -> String {
    match format_from(bundles, locale, key, args) {
        Some(Ok(text)) => return text,
        Some(Err((text, errors))) => {
            log_once(format!("message {key} ({}): {errors}", locale.code()));
            return text;
        }
        None => log_once(format!("message {key} is missing in {}", locale.code())),
    }
    if locale != Locale::English
        && let Some(Ok(text) | Err((text, _))) = format_from(bundles, Locale::English, key, args)
    {
        return text;
    }
    key.to_string()
}

/// Formats `key` in `locale` exactly: `None` when the catalog has no such
/// message, `Err` with the text and the errors when an argument is missing
/// or another error happened (for the catalog's tests).
pub fn format(
    locale: Locale,
    key: &str,
    args: Option<&FluentArgs>,
) -> Option<Result<String, (String, String)>> {
    format_from(&CATALOGS.bundles, locale, key, args)
}

fn format_from(
    bundles: &[FluentBundle<FluentResource>],
    locale: Locale,
    key: &str,
    args: Option<&FluentArgs>,
) -> Option<Result<String, (String, String)>> {
    let bundle = bundles.get(usize::from(locale.index()))?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    Some(if errors.is_empty() {
        Ok(text)
    } else {
        let errors = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        Err((text, errors))
    })
}

/// A message of the catalog in the current language, as a `String`:
/// `tr!("menu-file")`, `tr!("status-items", count = n)`,
/// `tr!("dialog-rename-prompt", name = row.name.as_str())`. Arguments are
/// numbers (plural forms choose by them) or text.
macro_rules! tr {
    ($key:literal $(,)?) => {
        $crate::ui::i18n::text($key, None)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::ui::i18n::FluentArgs::new();
        $( args.set(stringify!($name), $value); )+
        $crate::ui::i18n::text($key, Some(&args))
    }};
}
pub(crate) use tr;

#[cfg(test)]
mod tests {
    //! The catalogs against each other and against the sources: the same
    //! keys, the same arguments, every `tr!` key present, every message
    //! formatting without an error, and plural forms right in both.

    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use fluent_syntax::ast;

    /// Each message of a catalog with the variables it uses.
    fn messages(locale: Locale) -> BTreeMap<String, BTreeSet<String>> {
        let resource = match fluent_syntax::parser::parse(locale.catalog_source()) {
            Ok(resource) => resource,
            Err((_, errors)) => panic!("the {} catalog does not parse: {errors:?}", locale.code()),
        };
        let mut out = BTreeMap::new();
        for entry in &resource.body {
            match entry {
                ast::Entry::Message(message) => {
                    let mut variables = BTreeSet::new();
                    if let Some(pattern) = &message.value {
                        pattern_variables(pattern, &mut variables);
                    }
                    let first = out.insert(message.id.name.to_string(), variables);
                    assert!(
                        first.is_none(),
                        "{} twice in {}",
                        message.id.name,
                        locale.code()
                    );
                }
                ast::Entry::Junk { content } => {
                    panic!("junk in the {} catalog: {content}", locale.code())
                }
                _ => {}
            }
        }
        out
    }

    fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }

    fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline_variables(selector, out);
                for variant in variants {
                    pattern_variables(&variant.value, out);
                }
            }
            ast::Expression::Inline(inline) => inline_variables(inline, out),
        }
    }

    fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => {
                expression_variables(expression, out);
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline_variables(argument, out);
                }
                for argument in &arguments.named {
                    inline_variables(&argument.value, out);
                }
            }
            _ => {}
        }
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{e}: {}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The text of `open` up to its closing parenthesis (string literals
    /// and nested brackets skipped), or `None` when it never closes.
    fn until_close(open: &str) -> Option<&str> {
        let mut depth = 0usize;
        let mut chars = open.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    while let Some((_, c)) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => break,
                            _ => {}
                        }
                    }
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => return Some(&open[..at]),
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// `text` split at the commas outside brackets and strings.
    fn top_level_parts(text: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut rest = text;
        loop {
            // The first comma that no bracket or string encloses.
            let mut depth = 0usize;
            let mut in_string = false;
            let mut escaped = false;
            let mut cut = None;
            for (at, c) in rest.char_indices() {
                if in_string {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_string = true,
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        cut = Some(at);
                        break;
                    }
                    _ => {}
                }
            }
            match cut {
                Some(at) => {
                    parts.push(&rest[..at]);
                    rest = &rest[at + 1..];
                }
                None => {
                    parts.push(rest);
                    return parts;
                }
            }
        }
    }

    /// Every `tr!(…)` in the window's sources (comments and test modules left out):
    /// where it is, its key and the names of its arguments.
    fn tr_calls() -> Vec<(String, String, BTreeSet<String>)> {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"),
            &mut files,
        );
        let mut calls = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read a source file");
            // Test modules are left out: this one's scanner mentions tr!( itself.
            let text = text
                .find("#[cfg(test)]\nmod tests")
                .map_or(text.as_str(), |at| &text[..at]);
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut rest = code.as_str();
            while let Some(at) = rest.find("tr!(") {
                let word_before = rest[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                rest = &rest[at + 4..];
                if word_before {
                    continue;
                }
                let body = until_close(rest)
                    .unwrap_or_else(|| panic!("an unclosed tr!( in {}", file.display()));
                let parts = top_level_parts(body);
                let key = parts[0].trim();
                if key.starts_with('$') {
                    continue; // the macro's own definition
                }
                let key = key
                    .strip_prefix('"')
                    .and_then(|k| k.strip_suffix('"'))
                    .unwrap_or_else(|| {
                        panic!(
                            "tr!'s key must be a string literal: {key} in {}",
                            file.display()
                        )
                    });
                let args = parts[1..]
                    .iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| p.split('=').next().unwrap_or_default().trim().to_string())
                    .collect();
                let place = file
                    .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                calls.push((place, key.to_string(), args));
            }
        }
        calls
    }

    #[test]
    fn both_catalogs_have_the_same_keys_with_the_same_arguments() {
        let english = messages(Locale::English);
        let chinese = messages(Locale::ChineseSimplified);
        let only_english: Vec<_> = english
            .keys()
            .filter(|k| !chinese.contains_key(*k))
            .collect();
        let only_chinese: Vec<_> = chinese
            .keys()
            .filter(|k| !english.contains_key(*k))
            .collect();
        assert!(
            only_english.is_empty() && only_chinese.is_empty(),
            "missing in zh-CN: {only_english:?}; missing in en: {only_chinese:?}"
        );
        for (key, variables) in &english {
            assert_eq!(
                Some(variables),
                chinese.get(key),
                "{key} uses other arguments in zh-CN"
            );
        }
        assert!(english.len() > 200, "{} messages", english.len());
    }

    #[test]
    fn every_key_the_window_uses_is_in_both_catalogs_and_formats() {
        let english = messages(Locale::English);
        let calls = tr_calls();
        assert!(calls.len() > 200, "found only {} tr! calls", calls.len());
        let mut used = BTreeSet::new();
        for (place, key, args) in &calls {
            used.insert(key.clone());
            let Some(variables) = english.get(key) else {
                panic!("{place}: tr!(\"{key}\") is in no catalog");
            };
            assert_eq!(
                args, variables,
                "{place}: tr!(\"{key}\") passes other arguments than the message uses"
            );
            for locale in Locale::ALL {
                for number in [0, 1, 2, 5, 21] {
                    let mut fluent_args = FluentArgs::new();
                    for arg in args {
                        fluent_args.set(arg.as_str(), number);
                    }
                    let text = match format(locale, key, Some(&fluent_args)) {
                        Some(Ok(text)) => text,
                        Some(Err((_, errors))) => {
                            panic!("{place}: {key} in {}: {errors}", locale.code())
                        }
                        None => panic!("{place}: {key} is missing in {}", locale.code()),
                    };
                    assert!(
                        !text.trim().is_empty(),
                        "{key} in {} is empty",
                        locale.code()
                    );
                    assert!(
                        !text.contains(['\u{2068}', '\u{2069}']),
                        "{key}: Unicode isolation marks would show as boxes"
                    );
                }
            }
        }
        // The engine's messages are looked up by `message`, with their
        // arguments as `engine::wording::KEYS` lists them.
        for (key, names) in crate::engine::wording::KEYS {
            used.insert(key.to_string());
            let names: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
            for locale in Locale::ALL {
                let Some(variables) = messages(locale).get(*key).cloned() else {
                    panic!("engine message {key} is missing in {}", locale.code());
                };
                assert_eq!(variables, names, "{key} in {}", locale.code());
            }
        }
        let unused: Vec<_> = english.keys().filter(|k| !used.contains(*k)).collect();
        assert!(unused.is_empty(), "messages no code uses: {unused:?}");
    }

    #[test]
    fn the_source_scan_finds_keys_and_arguments() {
        let code = r#"tr!("a-b", count = rows.len(), name = f(x, "y,z"))"#;
        let body = until_close(&code[4..]).expect("closes");
        let parts = top_level_parts(body);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert_eq!(parts[0], r#""a-b""#);
        assert_eq!(parts[2].trim(), r#"name = f(x, "y,z")"#);
    }

    fn args(pairs: &[(&'static str, Value)]) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        for (name, value) in pairs {
            match value {
                Value::Number(n) => args.set(*name, *n),
                Value::Text(t) => args.set(*name, *t),
            }
        }
        args
    }

    /// An argument's value in a test's table.
    enum Value {
        Number(u64),
        Text(&'static str),
    }
    use Value::{Number, Text};

    #[test]
    fn plural_forms_are_right_in_both_languages() {
        let cases = [
            (Locale::English, "status-items", 1, "1 item"),
            (Locale::English, "status-items", 2, "2 items"),
            (Locale::English, "status-items", 0, "0 items"),
            (Locale::ChineseSimplified, "status-items", 1, "1 项"),
            (Locale::ChineseSimplified, "status-items", 2, "2 项"),
            (Locale::English, "pane-entries", 1, "1 entry"),
            (Locale::English, "pane-entries", 2, "2 entries"),
            (Locale::ChineseSimplified, "pane-entries", 1, "1 个条目"),
            (Locale::ChineseSimplified, "pane-entries", 2, "2 个条目"),
            (Locale::English, "pane-more-folders", 1, "… 1 more folder"),
            (Locale::English, "pane-more-folders", 7, "… 7 more folders"),
            (
                Locale::English,
                "note-trashed",
                1,
                "moved 1 item to the trash",
            ),
            (
                Locale::English,
                "note-trashed",
                3,
                "moved 3 items to the trash",
            ),
            (
                Locale::ChineseSimplified,
                "note-trashed",
                3,
                "已将 3 项移到回收站",
            ),
        ];
        for (locale, key, count, want) in cases {
            let got = text_in(locale, key, Some(&args(&[("count", Number(count))])));
            assert_eq!(got, want, "{key} with {count} in {}", locale.code());
        }
        let delete = |locale, count| {
            text_in(
                locale,
                "dialog-delete-local",
                Some(&args(&[("count", Number(count)), ("name", Text("a.txt"))])),
            )
        };
        assert_eq!(delete(Locale::English, 1), "Move “a.txt” to the trash?");
        assert_eq!(delete(Locale::English, 3), "Move 3 items to the trash?");
        assert_eq!(
            delete(Locale::ChineseSimplified, 1),
            "将“a.txt”移到回收站？"
        );
        assert_eq!(
            delete(Locale::ChineseSimplified, 3),
            "将这 3 项移到回收站？"
        );
    }

    #[test]
    fn arguments_are_not_wrapped_in_isolation_marks() {
        let text = text_in(
            Locale::English,
            "status-connecting",
            Some(&args(&[("host", Text("ftp.example.org"))])),
        );
        assert_eq!(text, "Connecting to ftp.example.org…");
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_key() {
        let bundles = [
            bundle(Locale::English, "only-english = Hello\nboth = Both\n"),
            bundle(Locale::ChineseSimplified, "both = 都有\n"),
        ];
        let text = |locale, key| text_from(&bundles, locale, key, None);
        assert_eq!(text(Locale::ChineseSimplified, "both"), "都有");
        assert_eq!(text(Locale::ChineseSimplified, "only-english"), "Hello");
        assert_eq!(text(Locale::ChineseSimplified, "nowhere"), "nowhere");
        assert_eq!(text(Locale::English, "nowhere"), "nowhere");
        // A missing argument still gives text, never a panic.
        assert_eq!(
            text_in(Locale::English, "status-connecting", None),
            "Connecting to {$host}…"
        );
    }

    #[test]
    fn system_locale_names_map_to_languages() {
        for tag in [
            "zh_CN.UTF-8",
            "zh-Hans",
            "zh_SG",
            "zh",
            "zh-Hans-CN",
            "ZH_tw",
            "zh_CN@pinyin",
        ] {
            assert_eq!(Locale::from_tag(tag), Locale::ChineseSimplified, "{tag}");
        }
        for tag in [
            "en_US.UTF-8",
            "en",
            "C",
            "POSIX",
            "",
            "de_DE",
            "zu_ZA",
            "C.UTF-8",
        ] {
            assert_eq!(Locale::from_tag(tag), Locale::English, "{tag}");
        }
        assert_eq!(Locale::English.code(), "en");
        assert_eq!(Locale::ChineseSimplified.code(), "zh-CN");
    }

    #[test]
    fn a_thread_override_wins_and_reverts() {
        let before = locale();
        {
            let _chinese = LocaleOverride::on_this_thread(Locale::ChineseSimplified);
            assert_eq!(locale(), Locale::ChineseSimplified);
            assert_eq!(tr!("menu-file"), "文件");
            {
                let _english = LocaleOverride::on_this_thread(Locale::English);
                assert_eq!(tr!("menu-file"), "File");
            }
            assert_eq!(tr!("menu-file"), "文件");
        }
        assert_eq!(locale(), before);
    }
}
