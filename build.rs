//! Build script: embeds Skiff's icon and version information into `skiff.exe`
//! when the target is Windows, and does nothing for any other target.
//!
//! Cross-building from Linux needs MinGW's `windres` and `ar`
//! (Debian: `binutils-mingw-w64-x86-64`); native MSVC builds use `rc.exe` from
//! the Windows SDK.

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=packaging/windows/skiff.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return Ok(());
    }
    // An absolute path: the resource compiler does not run in this folder.
    let icon = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR")?)
        .join("packaging/windows/skiff.ico");
    let icon = icon
        .to_str()
        .ok_or("the source folder's path is not UTF-8")?;
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon(icon)
        .set("ProductName", "Skiff")
        .set("FileDescription", "Skiff FTP client")
        .set("OriginalFilename", "skiff.exe");
    resource
        .compile()
        .map_err(|e| format!("cannot embed the icon (is windres or rc.exe installed?): {e}"))?;
    Ok(())
}
