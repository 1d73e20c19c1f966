; Inno Setup 6.3+ recipe for Skiff's Windows installer: a Start menu entry, an
; optional desktop icon, Skiff offered as a handler for ftp://, ftps:// and
; ftpes:// links (Settings > Default apps), and an uninstaller that removes all
; of it. Nothing else is bundled, offered or downloaded.
;
; Build on Windows after `cargo build --release`:
;     iscc packaging\windows\skiff.iss
; The version comes from the command line (see README), for example
;     iscc /DAppVersion=0.1.0 packaging\windows\skiff.iss
; and the installer lands in target\installer\.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BinaryDir
  #define BinaryDir "..\..\target\release"
#endif

[Setup]
; The AppId identifies Skiff's installation for upgrades and uninstalling:
; never change it.
AppId={{7F41069B-397D-4367-8F11-A10CE427F3D2}
AppName=Skiff
AppVersion={#AppVersion}
AppPublisher=The Skiff developers
AppPublisherURL=https://github.com/skiff-ftp/skiff
AppSupportURL=https://github.com/skiff-ftp/skiff/issues
DefaultDirName={autopf}\Skiff
DefaultGroupName=Skiff
DisableProgramGroupPage=yes
; Per-user install without administrator rights, or for all users: the user
; chooses. HKA below is HKCU or HKLM accordingly.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\target\installer
OutputBaseFilename=skiff-{#AppVersion}-setup-x64
SetupIconFile=skiff.ico
UninstallDisplayIcon={app}\skiff.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BinaryDir}\skiff.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "..\..\README.md"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\Skiff"; Filename: "{app}\skiff.exe"
Name: "{autodesktop}\Skiff"; Filename: "{app}\skiff.exe"; Tasks: desktopicon

[Registry]
; A ProgID that opens a URL in Skiff ...
Root: HKA; Subkey: "Software\Classes\Skiff.Url"; ValueType: string; ValueName: ""; ValueData: "FTP link (Skiff)"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Skiff.Url"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Skiff.Url\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\skiff.exe"",0"
Root: HKA; Subkey: "Software\Classes\Skiff.Url\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\skiff.exe"" ""%1"""
; ... and Skiff's capabilities, so Windows lists it for the three schemes. The
; user picks the default: Windows does not let installers take it.
Root: HKA; Subkey: "Software\Skiff"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Skiff\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "Skiff"
Root: HKA; Subkey: "Software\Skiff\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Fast, safe FTP and FTPS client"
Root: HKA; Subkey: "Software\Skiff\Capabilities\URLAssociations"; ValueType: string; ValueName: "ftp"; ValueData: "Skiff.Url"
Root: HKA; Subkey: "Software\Skiff\Capabilities\URLAssociations"; ValueType: string; ValueName: "ftps"; ValueData: "Skiff.Url"
Root: HKA; Subkey: "Software\Skiff\Capabilities\URLAssociations"; ValueType: string; ValueName: "ftpes"; ValueData: "Skiff.Url"
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "Skiff"; ValueData: "Software\Skiff\Capabilities"; Flags: uninsdeletevalue
; ftpes:// is Skiff's own scheme: no other program claims it, so Skiff does.
Root: HKA; Subkey: "Software\Classes\ftpes"; ValueType: string; ValueName: ""; ValueData: "URL:FTP with explicit TLS"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\ftpes"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\ftpes\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\skiff.exe"" ""%1"""

[Run]
Filename: "{app}\skiff.exe"; Description: "{cm:LaunchProgram,Skiff}"; Flags: nowait postinstall skipifsilent
