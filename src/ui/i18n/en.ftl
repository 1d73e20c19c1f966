# Skiff's window in English: the reference catalog. Every key here must be in
# every other catalog too (src/ui/i18n.rs tests it). A count chooses its
# plural form by CLDR's rules: [one] is 1, [other] the rest.

## Actions: menus, toolbar, context menus

action-site-manager = Site Manager…
action-reconnect = Reconnect
action-disconnect = Disconnect
action-refresh = Refresh
action-toggle-queue = Process queue
action-cancel-all = Cancel all transfers
action-open = Open
action-up = Parent folder
action-transfer = Transfer
action-download = Download
action-upload = Upload
action-add-to-queue = Add to queue
action-open-with-system = Open with default application
action-make-dir = Create directory…
action-rename = Rename…
action-delete = Delete…
action-select-all = Select all
action-switch-pane = Switch pane
action-copy-url = Copy URL
action-clear-log = Clear log
action-import-sites = Import from FileZilla…
action-export-sites = Export sites…
action-settings = Settings…
action-quit = Quit

## Menu bar and quickconnect bar

menu-file = File
menu-server = Server
menu-transfer = Transfer
menu-edit = Edit
quick-host = Host:
quick-user = Username:
quick-password = Password:
quick-port = Port:
quick-connect = Quickconnect
quick-recent = Recent
quick-no-recent = No recent servers
quick-clear-history = Clear history
quick-error-no-host = enter a host name or an ftp:// URL
quick-error-port = the port must be a number from 1 to 65535: { $port }

## Status bar

status-encrypted = Encrypted: { $version } { $cipher }
status-connected-tls = Connected to { $host } ({ $version })
status-not-encrypted = Not encrypted: the password and files travel in clear text
status-connected-plain = Connected to { $host } (not encrypted)
status-connecting = Connecting to { $host }…
status-not-connected = Not connected
status-selected = Selected { $count ->
        [one] { $count } item
       *[other] { $count } items
    }, { $size }
status-items = { $count ->
        [one] { $count } item
       *[other] { $count } items
    }

## Panes and file tables

pane-local-title = Local site
pane-remote-title = Remote site
pane-reading = Reading the folder…
pane-not-connected-because = Not connected: { $reason }
pane-not-connected = Not connected. Enter a host above and press Quickconnect
pane-filter = Filter:
pane-filter-hint = name contains…
pane-entries = { $count ->
        [one] { $count } entry
       *[other] { $count } entries
    }
pane-more-folders = … { $count ->
        [one] { $count } more folder
       *[other] { $count } more folders
    }
tree-expand = Expand
tree-collapse = Collapse
column-name = Name
column-size = Size
column-type = Type
column-modified = Modified
column-permissions = Permissions
column-owner = Owner/Group
column-sort-by = Sort by { $column }
file-type-folder = Folder
file-type-link = Link
file-type-file = File
file-type-extension = { $extension } file
file-read-only = read-only

## Message log

log-title = Message log
log-copy-all = Copy all
log-clear = Clear
log-kind-status = Status:
log-kind-command = Command:
log-kind-reply = Response:
log-kind-warning = Warning:
log-kind-error = Error:

## Transfer queue

queue-tab-queued = Queued files ({ $count })
queue-tab-failed = Failed transfers ({ $count })
queue-tab-successful = Successful transfers ({ $count })
queue-summary = { $count } queued, { $size }
queue-summary-rate = { $count } queued, { $size }, { $rate }/s
queue-stopped = Queue stopped
queue-clear = Clear
queue-retry-all = Retry all
queue-column-direction = Direction
queue-column-local = Local file
queue-column-remote = Remote file
queue-column-size = Size
queue-column-progress = Progress
queue-column-speed = Speed
queue-column-eta = ETA
queue-column-status = Status
queue-pause = Pause
queue-resume = Resume
queue-retry = Retry
queue-move-top = Move to top
queue-move-bottom = Move to bottom
queue-cancel = Cancel
queue-download = Download
queue-upload = Upload
queue-folder = Folder
queue-state-queued = Queued
queue-state-paused = Paused
queue-state-transferring = Transferring
queue-state-asking = Waiting for your answer
queue-state-done = Done
queue-state-skipped = Skipped: { $reason }

## Dialogs

dialog-ok = OK
dialog-cancel = Cancel
dialog-connect = Connect
dialog-make-dir-title = Create directory
dialog-make-dir-prompt = Name of the new folder:
dialog-make-dir-create = Create
dialog-rename-title = Rename
dialog-rename-prompt = New name for { $name }:
dialog-rename-ok = Rename
dialog-delete-title = Delete
dialog-delete-local = Move { $count ->
        [1] “{ $name }”
       *[other] { $count } items
    } to the trash?
dialog-delete-remote = Delete { $count ->
        [1] “{ $name }”
       *[other] { $count } items
    } from the server? This cannot be undone.
dialog-delete-ok = Delete
dialog-password-title = Enter password
dialog-password-prompt = Password for { $user }@{ $host }:
dialog-password-label = Password:
dialog-saved-sites-title = Saved sites
overwrite-title = Target file already exists
overwrite-download-target = The download target exists: { $path }
overwrite-upload-target = The upload target exists: { $path }
overwrite-size = Size
overwrite-modified = Modified
overwrite-source = Source:
overwrite-target = Target:
overwrite-apply-to-all = Apply to all for this queue
overwrite-overwrite = Overwrite
overwrite-if-newer = Overwrite if newer
overwrite-if-size-differs = Overwrite if size differs
overwrite-resume = Resume
overwrite-rename = Rename
overwrite-skip = Skip
certificate-title = Unknown certificate
certificate-changed =
    WARNING: the certificate of { $host }:{ $port } has CHANGED since you trusted it. Someone may be intercepting the connection.
    Trusted before: { $previous }
    Offered now: { $offered }
certificate-unverified = The server's certificate could not be verified: { $reason }. Check its fingerprint with the server's administrator before trusting it.
certificate-host = Host:
certificate-subject = Subject:
certificate-issuer = Issuer:
certificate-valid-from = Valid from:
certificate-valid-until = Valid until:
certificate-fingerprint = SHA-256 fingerprint:
certificate-problem = Problem:
certificate-trust-once = Trust once
certificate-trust-always = Always trust this certificate
certificate-refuse = Refuse
picker-import-title = Import FileZilla sites
picker-import-filter = FileZilla Site Manager
picker-export-title = Export sites
picker-local-dir-title = Default local directory

## Site Manager

site-manager-title = Site Manager
site-connect = Connect
site-correct-fields = Correct the marked fields first ({ $fields })
site-invalid = This site has invalid settings; correct them first
site-select-entry = Select entry:
site-new-site = New site
site-new-folder = New folder
site-rename = Rename
site-duplicate = Duplicate
site-delete = Delete
site-new-name = New name:
site-apply = Apply
site-select-hint = Select a site, or create one with New site.
site-unnamed = (unnamed)
site-tab-general = General
site-tab-advanced = Advanced
site-tab-transfer = Transfer settings
site-tab-charset = Charset
site-encryption = Encryption:
site-encryption-if-available = Use explicit FTP over TLS if available
site-encryption-explicit = Require explicit FTP over TLS
site-encryption-implicit = Require implicit FTP over TLS
site-encryption-plain = Only use plain FTP (insecure)
site-plain-warning = Plain FTP sends the password and files in clear text
site-host = Host:
site-port = Port:
site-logon = Logon type:
site-logon-anonymous = Anonymous
site-logon-normal = Normal
site-logon-ask = Ask for password
site-logon-account = Account
site-user = User:
site-password = Password:
site-password-unchanged = unchanged
site-account = Account:
site-folder = Folder:
site-folder-top = (top)
site-comments = Comments:
site-server-type = Server type:
site-server-type-auto = Default (detect)
site-server-type-dos-virtual = DOS-like with virtual paths
site-server-type-dos-slashes = DOS with forward slashes
site-local-dir = Default local directory:
site-browse = Browse…
site-remote-dir = Default remote directory:
site-timezone = Timezone offset (minutes):
site-transfer-mode = Transfer mode:
site-mode-default = Default (passive)
site-mode-active = Active
site-mode-passive = Passive
site-passive-mode = Passive mode:
site-trust-pasv = Trust the address in the server's PASV reply
site-active-ports = Active mode ports:
site-port-from = from
site-port-to = to
site-external-ip = Active mode external IP:
site-connections = Connections:
site-limit-connections = Limit simultaneous connections to
site-uploads = Uploads
site-atomic-uploads = Upload to a temporary name, then rename
site-atomic-uploads-hint = A dropped connection never leaves a cut-off file under the real name. Some servers refuse to rename over an existing file.
site-charset = Charset:
site-charset-auto = Autodetect (UTF-8 when the server offers it)
site-charset-custom = Use a custom charset
site-error-minutes = not a number of minutes: { $text }
site-error-port-range = both ends must be ports from 1 to 65535
site-error-ip = not an IP address: { $text }
site-error-connections = a number from 1 to 10

## What the window writes in the log and under the panes

note-picker-failed = cannot open the file picker: { $error }
note-no-config-for-import = no config folder to import sites into
note-no-config-for-save = no config folder: the sites were not saved
note-sites-still-reading = The saved sites are still being read
note-connect-first = connect to a server first: transfers need both folders
note-drop-on-remote = Drop files on the remote pane to upload them
note-connect-then-drop = connect to a server first, then drop files to upload them
note-invalid-folder-name = not a valid folder name: { $name }
note-invalid-name = not a valid name: { $name }
note-unsafe-name = not downloaded, the name is unsafe here: { $reason }: { $name }
note-certificate-refused = Certificate refused for { $host }:{ $port }
note-certificate-trusted = Trusting certificate { $fingerprint } for { $host }:{ $port }
note-demo-serving = Demo server serving a sample folder at ftp://{ $address }
note-demo-failed = cannot start the demo server: { $error }
note-no-saved-password = No saved password for { $site }; enter it
note-keyring-silent = The keyring did not answer ({ $error }); enter the password
note-no-saved-site = no saved site named { $path }
note-created = created { $path }
note-renamed = renamed { $from } to { $to }
note-trashed = moved { $count ->
        [one] { $count } item
       *[other] { $count } items
    } to the trash
note-opened = opened { $path }
local-cannot-read-folder = cannot read the folder
local-cannot-create-folder = cannot create the folder
local-cannot-rename = cannot rename
local-cannot-open = cannot open
local-name-taken = the name is taken: { $path }
local-cannot-trash = cannot move to the trash: { $cause }
local-cannot-save-trust = cannot save the trusted certificates: { $cause }
local-cannot-save-sites = cannot save the sites: { $cause }
local-cannot-save-recent = cannot save the recent servers: { $cause }
local-cannot-export = cannot export the sites: { $cause }
local-password-not-saved = the password was not saved: { $cause }; it will be asked for when connecting

## Settings dialog and transfer type

transfer-type-ascii-warning = ASCII mode converts line ends on the way: a server that does not convert them back leaves the file changed.
transfer-type-auto-warning = Auto moves text files (txt, html, php…) in ASCII mode: their line ends are converted on the way.
settings-confirm-quit = Ask before closing the window while transfers are running
settings-fallback = Fall back to the other mode when the chosen one fails
settings-log-no-passwords = Passwords are never written: the log shows PASS ****.
settings-preserve-times = Preserve the modification times of transferred files
exists-size-or-newer = Overwrite if the size differs or the source is newer
settings-limit-ports = Limit the local ports active mode uses
settings-log-to-file = Also write the message log to a file
settings-external-ip = External IP address (behind NAT):
settings-retry-delay = Delay between retries (seconds):
exists-newer = Overwrite if the source is newer
exists-rename = Keep both (rename the new file)
settings-download-exists = When a downloaded file exists:
settings-limit-download = Limit download speed (KiB/s):
settings-upload-exists = When an uploaded file exists:
exists-size = Overwrite if the size differs
settings-keep-alive = Send FTP keep-alive commands
settings-queue-done = When the queue has finished:
settings-log-file-default = skiff.log in the data folder
settings-limit-upload = Limit upload speed (KiB/s):
queue-done-notify = Show a desktop notification
settings-log-max = Start a new file at (MiB):
settings-retries = Retries after a failure:
settings-simultaneous = Simultaneous transfers:
settings-data-mode = Default transfer mode
settings-passive = Passive (recommended)
settings-transfer-type = Default transfer type
settings-timeout = Timeout in seconds:
settings-log-keep = Older files kept:
settings-as-system = As the system
settings-active-mode = Active mode
queue-done-quit = Close Skiff
settings-page-connection = Connection
settings-port-from = From port:
queue-done-nothing = Do nothing
settings-page-transfers = Transfers
settings-page-interface = Interface
settings-language = Language:
exists-overwrite = Overwrite
settings-title = Settings
settings-port-to = to port:
settings-page-logging = Logging
language-english = English
settings-active = Active
settings-theme = Theme:
transfer-type-binary = Binary
exists-resume = Resume
settings-log-file = File:
transfer-type-ascii = ASCII
theme-light = Light
settings-none = none
transfer-type-auto = Auto
exists-skip = Skip
language-chinese = 简体中文
theme-dark = Dark
exists-ask = Ask
settings-bad-ip = The external address is not an IP address: { $address }
menu-transfer-type = Transfer type
queue-size-partial = { $done } of { $size }
queue-state-stalled = Stalled: no data for { $seconds } s
queue-state-reconnecting = Reconnecting in { $seconds } s: { $reason }
quit-title = Quit Skiff?
quit-question = { $count ->
    [one] A transfer is running.
   *[other] { $count } transfers are running.
} Quit anyway? What was transferred is kept, and the queue resumes the next time Skiff starts.
quit-button = Quit
quit-edited = { $count ->
    [one] An edited file has changes that are not on the server.
   *[other] { $count } edited files have changes that are not on the server.
} They are lost when Skiff quits (File → Show files being edited… uploads them).
connect-for-title = Connect to the site?
connect-for-question = { $count ->
    [one] The resumed item is for { $site }, which is not connected.
   *[other] { $count } resumed items are for { $site }, which is not connected.
} Connect to it now? The items wait until it is.
connect-for-button = Connect
queue-resume-all = Resume all
queue-pause-all = Pause all
note-connect-for-unknown = No saved site matches { $site }: enter its password in the quickconnect bar and press Quickconnect.
dialog-where-local = On this computer, in { $folder }
dialog-where-remote = On the server, in { $folder }
overwrite-size-exact = { $size } ({ $count ->
    [one] { $bytes } byte
   *[other] { $bytes } bytes
})
pane-dragging = { $count ->
    [one] { $first }
   *[other] { $count } items: { $first }, { $second }…
}
window-title-site = { $host } - Skiff
window-title-progress = { $percent }% { $host } - Skiff
notify-done-title = Transfers finished
notify-done-body = { $done ->
    [one] One item transferred
   *[other] { $done } items transferred
}{ $failed ->
    [0] .
    [one] , one failed.
   *[other] , { $failed } failed.
}
notify-failed-title = A transfer failed
notify-failed-body = { $count ->
    [one] A transfer failed: see the Failed tab.
   *[other] { $count } transfers failed: see the Failed tab.
}
note-no-keyring = No keyring is available, so passwords are not saved: each is asked for once per session ({ $error }).
site-no-keyring = No keyring is available on this computer, so this password is not saved: Skiff keeps it until it closes and asks again next time ({ $reason }).

## The engine's errors and actions (keys from engine::wording::KEYS)

pane-failed = Could not { $action }: { $error }
engine-error-connect = could not connect ({ $cause }): { $host }
engine-error-timeout-connecting = no answer for { $secs } s while connecting
engine-error-timeout-tls = no answer for { $secs } s while setting up TLS
engine-error-timeout-receiving = no data for { $secs } s while receiving
engine-error-timeout-sending-data = no progress for { $secs } s while sending data
engine-error-timeout-command = no progress for { $secs } s while sending a command
engine-error-timeout-reply = no reply for { $secs } s
engine-error-timeout = timed out after { $secs } s while { $phase }
engine-error-closed = the server closed the connection
engine-error-network = network error: { $cause }
engine-error-bad-reply = the server's reply could not be read: { $detail }
engine-error-not-found = no such file or folder: { $path }
engine-error-delete-top = refusing to delete a server's top folder or a path ending in . or ..: { $path }
engine-error-invalid-name = not a valid name (empty, ., .. or with /): { $name }
engine-error-refused = the server refused { $command }: { $code } { $reply }
engine-error-login-refused = the login was refused: { $code } { $reply }
engine-error-account-required = the server asks for an account (ACCT) and none is set
engine-error-data-channel = no data connection could be opened: { $detail }
engine-error-truncated = the transfer is incomplete: { $got } of { $expected } bytes arrived
engine-error-transfer-failed = the transfer failed after { $got } bytes: { $code } { $reply }
engine-error-encoding = the name cannot be written in { $charset }: { $name }
engine-error-local = { $cause }: { $path }
engine-error-tls = TLS failed: { $detail }
engine-error-tls-refused = the server refused TLS ({ $code } { $reply }); nothing was sent in clear text
engine-error-certificate = the certificate is not trusted ({ $reason }), fingerprint { $fingerprint }: { $host }
engine-error-place-failed = the server refused to put the upload in place ({ $code } { $reply }); it is kept as { $temp }: { $target }
engine-error-remote-changed = the file changed on the server since it was opened; nothing was uploaded: { $path }
engine-error-cancelled = cancelled
engine-error-internal = an internal error in Skiff (please report it): { $detail }
engine-error-detail = { $detail }
engine-action-connect = connect to { $host }
engine-action-reconnect = reconnect
engine-action-disconnect = disconnect
engine-action-list = list { $path }
engine-action-refresh = refresh
engine-action-parent = open the parent folder
engine-action-mkdir = create the folder { $path }
engine-action-rename = rename { $from } to { $to }
engine-action-delete = delete { $path }
engine-action-settings = change the connection's settings

## Bookmarks

menu-bookmarks = Bookmarks
action-add-bookmark = Add bookmark…
bookmark-add-title = Add bookmark
bookmark-name = Name:
bookmark-local = Local folder:
bookmark-remote = Remote folder:
bookmark-sync-browsing = Use synchronized browsing
bookmark-site-specific = Site-specific bookmark (for { $site })
bookmark-global = Global bookmark
bookmark-global-only = A global bookmark (no saved site is connected).
bookmark-needs = A bookmark needs a name and a local or a remote folder.
note-bookmark-not-connected = The bookmark's remote folder opens once you are connected.
note-sites-not-read = The saved sites are still being read; try again in a moment.
## Directory comparison and synchronized browsing (issue 16)
menu-view = View
action-compare = Directory comparison
action-compare-size-time = Compare size and time
action-compare-size = Compare size only
action-compare-time = Compare time only
action-hide-identical = Hide identical files
action-sync-browsing = Synchronized browsing
compare-tag-lone = only here
compare-tag-newer = newer
compare-tag-older = older
compare-tag-size = size differs
compare-tag-kind = file/folder
note-sync-browsing-needs-both = Synchronized browsing needs a folder in both panes: connect first
note-sync-browsing-missing = Synchronized browsing is off: the folder does not exist on the other side: { $folder }
action-synchronize = Synchronize…
sync-title = Synchronize
sync-direction-upload = Upload: make the server's folder like the local one
sync-direction-download = Download: make the local folder like the server's
sync-delete = Delete what the source folder does not have
sync-compare-by = Compare by:
sync-recursive = Both folders are compared all the way down: every folder inside them too.
sync-action-upload = Upload
sync-action-download = Download
sync-action-folder = Make folder
sync-action-delete = Delete
sync-action-conflict = Conflict, left alone
sync-action-skip = Left alone
sync-step = { $action }: { $path }
sync-count-upload = { $count ->
    [one] Upload one file ({ $size })
   *[other] Upload { $count } files ({ $size })
}
sync-count-download = { $count ->
    [one] Download one file ({ $size })
   *[other] Download { $count } files ({ $size })
}
sync-count-folder = { $count ->
    [one] Make one folder
   *[other] Make { $count } folders
}
sync-count-delete = { $count ->
    [one] Delete one item
   *[other] Delete { $count } items
}
sync-count-skip = { $count ->
    [one] Leave one item alone (a conflict or an unsafe name)
   *[other] Leave { $count } items alone (conflicts or unsafe names)
}
sync-nothing = Nothing to do: the folders are in sync
sync-run = Run
note-sync-running = Synchronizing: { $count ->
    [one] one step
   *[other] { $count } steps
} queued
note-sync-browsing-new-site = Synchronized browsing is off: connected to another server
## Remote operations (issue 17): recursive delete, permissions, custom command
action-permissions = File permissions…
action-custom-command = Enter custom command…
dialog-close = Close
note-chmod-select-one = Select the remote files or folders whose permissions you want to change.
note-quote-empty = Type a command to send.
note-quote-needs-data = { $verb } needs a data connection, which a custom command cannot use: browse, download or upload instead.
note-quote-changes-session = { $verb } would change the connection's login, encryption or transfer settings, so it is not sent.
note-quote-line-break = A command cannot hold a line break, so it is not sent.
note-op-failed = { $reason }: { $path }
note-deleted-count = { $count ->
        [one] Deleted 1 file or folder on the server.
       *[other] Deleted { $count } files and folders on the server.
    }
delete-counting = Counting what is in { $count ->
        [1] “{ $name }”
       *[other] { $count } items
    }…
delete-listed = { $count ->
        [one] 1 folder listed
       *[other] { $count } folders listed
    }
delete-summary = { $folders ->
        [one] 1 folder
       *[other] { $folders } folders
    }, { $files ->
        [one] 1 file
       *[other] { $files } files
    }, { $size }
delete-progress = Deleted { $files ->
        [one] 1 file
       *[other] { $files } files
    } and { $folders ->
        [one] 1 folder
       *[other] { $folders } folders
    } ({ $done } of { $total })
delete-cancelling = Cancelling…
delete-stopped = The delete stopped: { $reason }
delete-failures = { $count ->
        [0] Nothing failed.
        [one] 1 path could not be deleted:
       *[other] { $count } paths could not be deleted:
    }
quote-title = Enter custom command
quote-explain = The command is sent on the browsing connection; the server's reply shows in the message log.
quote-prompt = Command:
quote-send = Send
chmod-title = File permissions
chmod-for = Permissions of “{ $name }” on the server
chmod-read = Read
chmod-write = Write
chmod-execute = Execute
chmod-owner = Owner
chmod-group = Group
chmod-public = Public
chmod-bit = { $who }: { $what }
chmod-numeric = Numeric value:
chmod-recurse = Recurse into subdirectories
chmod-all = Apply to all files and directories
chmod-files-only = Apply to files only
chmod-folders-only = Apply to directories only
chmod-invalid = The numeric value is not an octal mode such as 644.
chmod-apply = Apply
chmod-result-failed = The permissions were not changed: { $reason }
chmod-result-some-failed = { $count ->
        [one] 1 path could not be changed
       *[other] { $count } paths could not be changed
    }: { $reason }
chmod-result-done = { $count ->
        [one] Permissions changed.
       *[other] Permissions changed on { $count } files and folders.
    }
action-search-remote = Search remote files…
search-title = Search remote files
search-in = Search in { $folder } and its subfolders on the server
search-name = Name:
search-contains = Contains
search-glob = Matches a pattern (*.log)
search-min-size = Minimum size in bytes:
search-start = Search
search-stop = Stop
search-running = { $listed ->
        [one] 1 folder listed
       *[other] { $listed } folders listed
    }, { $count ->
        [one] 1 match
       *[other] { $count } matches
    } so far
search-dropped = { $count ->
        [one] 1 more match was found but not kept.
       *[other] { $count } more matches were found but not kept.
    }
search-download = Download selected
search-open-folder = Open folder
search-bad-glob = The name pattern is not a valid glob: { $pattern }
search-bad-size = The minimum size is not a number of bytes: { $size }
search-done = { $count ->
        [one] The search found 1 match.
       *[other] The search found { $count } matches.
    }
search-done-with-failures = The search found { $count } matches; { $failed ->
        [one] 1 folder could not be listed.
       *[other] { $failed } folders could not be listed.
    }
search-stopped = The search stopped after { $count } matches: { $reason }
search-newer = Modified after:
search-date-hint = YYYY-MM-DD
search-bad-date = The date is not a day such as 2024-12-31: { $date }
engine-action-quote = send { $command }
sync-missing-title = The folder does not exist on the other side
sync-missing-question = Synchronized browsing cannot follow into it. Create the folder there, or stop synchronized browsing?
sync-missing-create = Create the folder
sync-missing-stop = Stop synchronized browsing
sync-direction-both = Both ways: the newer file wins on each side; nothing is deleted
sync-excludes = Leave alone:
sync-excludes-bad = These exclusions cannot be used ({ $reason }), so none are applied.
sync-excludes-hint = *.tmp .git
action-view-edit = View/Edit
action-edited-files = Show files being edited…
note-editing = opened the editor on { $path }
note-edit-select-file = Select a file to view or edit.
note-edit-unsafe-name = { $reason }; it cannot be edited here: { $name }
note-edit-fetching = fetching for editing: { $path }
note-edit-failed = { $reason }: { $path }
note-edit-uploaded = the edited file is on the server: { $path }
note-edit-not-watched = the file cannot be watched for saves ({ $reason }); upload it from File → Show files being edited…: { $path }
edit-changed-while-fetching = the file kept changing on the server while it was fetched
edit-saved-title = File saved
edit-saved-question = { $name } was saved in the editor. Upload it to { $host } ({ $path })?
edit-changed-title = The file changed on the server
edit-changed-question = { $name } changed on { $host } since you opened it ({ $path }). Uploading your version replaces the server's changes.
edit-upload = Upload
edit-overwrite = Upload and replace
edit-not-now = Not now
edit-open = Open
edit-forget = Stop editing
edit-state-downloading = Fetching
edit-state-open = Open, unchanged
edit-state-edited = Changed, not uploaded
edit-state-uploading = Uploading
edit-state-uploaded = Uploaded
edit-state-server-changed = Changed on the server too
edit-state-failed = Failed: { $reason }
edit-list-title = Files being edited
edit-list-empty = No file is being edited. Right-click a remote file and choose View/Edit.
edit-list-file = File
edit-list-server = Server
edit-list-state = State
settings-page-editing = View/Edit
settings-edit-when-saved = When an edited file is saved
settings-edit-ask = Ask whether to upload it
settings-edit-always = Upload it at once
settings-editor = Editor:
settings-editor-default = the system's default application
settings-editor-hint = A program, or a command line where %f stands for the file (code --wait %f).
settings-edit-safety = Before an upload Skiff checks that the server's copy is still the one you opened, and it uploads to a temporary name that is renamed over the original.
chmod-for-many = Permissions of { $count } selected files and folders:
chmod-mixed = Their permissions differ; the boxes start from { $name }'s, and every selected entry gets the mode chosen.
site-protocol = Protocol:
site-protocol-ftp = FTP - File Transfer Protocol
site-protocol-sftp = SFTP - SSH File Transfer Protocol
site-logon-key-file = Key file
site-key-file = Key file:
site-passphrase = Passphrase (if the key has one):
host-key-title = Unknown host key
host-key-unknown = The server's host key is not in known_hosts, so Skiff cannot tell that { $host }:{ $port } is the server you mean.
host-key-changed-title = The host key changed
host-key-changed = Warning: the host key of { $host }:{ $port } is not the one known_hosts records ({ $recorded }); the server offers { $offered }. Someone may be intercepting the connection, or the server was reinstalled. Replace the key only if its administrator told you it changed.
host-key-type = Key type:
host-key-check = Compare the fingerprint with the one the server's administrator gives you (ssh-keygen -lf on the server's key).
engine-error-ssh = SSH failed: { $detail }
engine-error-host-key-unknown = the server's host key is not known ({ $key_type } { $fingerprint }): { $host }
engine-error-host-key-changed = the server's host key changed: known_hosts line { $line } has { $recorded }, the server offers { $offered } (someone may be intercepting the connection): { $host }
engine-error-host-key-revoked = the server's host key { $fingerprint } is revoked (known_hosts line { $line }): { $host }
engine-error-ssh-login = the login was refused (tried { $tried }): { $user }@{ $host }
engine-error-key-file = the key file cannot be used ({ $reason }): { $path }
engine-error-sftp-status = the server refused { $request } ({ $status } { $reply }): { $path }
sync-walking = Comparing the folders: { $count ->
    [one] one folder listed on the server
   *[other] { $count } folders listed on the server
}
sync-action-kind-conflict = Conflict (a file on one side, a folder on the other), left alone
sync-walk-failed = The folders could not be compared ({ $reason })
engine-error-key-passphrase = the key file is encrypted and no passphrase was given: { $path }
engine-error-not-a-folder = not a folder: { $path }
engine-error-not-over-sftp = { $what } exist only in FTP, and this site speaks SFTP
dialog-passphrase-title = Enter the key's passphrase
dialog-passphrase-prompt = The key file is encrypted: { $file }
dialog-passphrase-label = Passphrase:
