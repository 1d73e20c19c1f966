# Skiff 的简体中文界面。键与 en.ftl 完全相同（src/ui/i18n.rs 的测试会检查）。
# 用词取自 FileZilla 的简体中文界面，让 FileZilla 用户一看就懂。
# 中文没有复数变化：数量只用 *[other]。

## Actions: menus, toolbar, context menus

action-site-manager = 站点管理器…
action-reconnect = 重新连接
action-disconnect = 断开连接
action-refresh = 刷新
action-toggle-queue = 处理队列
action-cancel-all = 取消所有传输
action-open = 打开
action-up = 上级目录
action-transfer = 传输
action-download = 下载
action-upload = 上传
action-add-to-queue = 添加到队列
action-open-with-system = 用默认程序打开
action-make-dir = 创建目录…
action-rename = 重命名…
action-delete = 删除…
action-select-all = 全选
action-switch-pane = 切换窗格
action-copy-url = 复制 URL
action-clear-log = 清除日志
action-import-sites = 从 FileZilla 导入…
action-export-sites = 导出站点…
action-settings = 设置…
action-quit = 退出

## Menu bar and quickconnect bar

menu-file = 文件
menu-server = 服务器
menu-transfer = 传输
menu-edit = 编辑
quick-host = 主机：
quick-user = 用户名：
quick-password = 密码：
quick-port = 端口：
quick-connect = 快速连接
quick-recent = 最近连接
quick-no-recent = 没有最近连接的服务器
quick-clear-history = 清除历史记录
quick-error-no-host = 请输入主机名或 ftp:// URL
quick-error-port = 端口必须是 1 到 65535 之间的数字：{ $port }

## Status bar

status-encrypted = 已加密：{ $version } { $cipher }
status-connected-tls = 已连接到 { $host }（{ $version }）
status-not-encrypted = 未加密：密码和文件以明文传输
status-connected-plain = 已连接到 { $host }（未加密）
status-connecting = 正在连接 { $host }…
status-not-connected = 未连接
status-selected = 已选择 { $count ->
       *[other] { $count } 项
    }，{ $size }
status-items = { $count ->
       *[other] { $count } 项
    }

## Panes and file tables

pane-local-title = 本地站点
pane-remote-title = 远程站点
pane-reading = 正在读取文件夹…
pane-not-connected-because = 未连接：{ $reason }
pane-not-connected = 未连接。请在上方输入主机，然后点击“快速连接”
pane-filter = 筛选：
pane-filter-hint = 名称包含…
pane-entries = { $count ->
       *[other] { $count } 个条目
    }
pane-more-folders = … 还有 { $count ->
       *[other] { $count } 个文件夹
    }
tree-expand = 展开
tree-collapse = 折叠
column-name = 文件名
column-size = 文件大小
column-type = 文件类型
column-modified = 最近修改
column-permissions = 权限
column-owner = 所有者/组
column-sort-by = 按{ $column }排序
file-type-folder = 文件夹
file-type-link = 链接
file-type-file = 文件
file-type-extension = { $extension } 文件
file-read-only = 只读

## Message log

log-title = 消息日志
log-copy-all = 全部复制
log-clear = 清除
log-kind-status = 状态:
log-kind-command = 命令:
log-kind-reply = 响应:
log-kind-warning = 警告:
log-kind-error = 错误:

## Transfer queue

queue-tab-queued = 列队的文件 ({ $count })
queue-tab-failed = 传输失败 ({ $count })
queue-tab-successful = 成功的传输 ({ $count })
queue-summary = 已列队 { $count } 项，{ $size }
queue-summary-rate = 已列队 { $count } 项，{ $size }，{ $rate }/s
queue-stopped = 队列已停止
queue-clear = 清除
queue-retry-all = 全部重试
queue-column-direction = 方向
queue-column-local = 本地文件
queue-column-remote = 远程文件
queue-column-size = 大小
queue-column-progress = 进度
queue-column-speed = 速度
queue-column-eta = 剩余时间
queue-column-status = 状态
queue-pause = 暂停
queue-resume = 继续
queue-retry = 重试
queue-move-top = 移到顶部
queue-move-bottom = 移到底部
queue-cancel = 取消
queue-download = 下载
queue-upload = 上传
queue-folder = 文件夹
queue-state-queued = 已列队
queue-state-paused = 已暂停
queue-state-transferring = 正在传输
queue-state-asking = 等待您的回答
queue-state-done = 完成
queue-state-skipped = 已跳过：{ $reason }

## Dialogs

dialog-ok = 确定
dialog-cancel = 取消
dialog-connect = 连接
dialog-make-dir-title = 创建目录
dialog-make-dir-prompt = 新文件夹的名称：
dialog-make-dir-create = 创建
dialog-rename-title = 重命名
dialog-rename-prompt = { $name } 的新名称：
dialog-rename-ok = 重命名
dialog-delete-title = 删除
dialog-delete-local = 将{ $count ->
        [1] “{ $name }”
       *[other] 这 { $count } 项
    }移到回收站？
dialog-delete-remote = 从服务器上删除{ $count ->
        [1] “{ $name }”
       *[other] 这 { $count } 项
    }？此操作无法撤销。
dialog-delete-ok = 删除
dialog-password-title = 输入密码
dialog-password-prompt = { $user }@{ $host } 的密码：
dialog-password-label = 密码：
dialog-saved-sites-title = 已保存的站点
overwrite-title = 目标文件已经存在
overwrite-download-target = 下载的目标文件已存在：{ $path }
overwrite-upload-target = 上传的目标文件已存在：{ $path }
overwrite-size = 大小
overwrite-modified = 修改时间
overwrite-source = 源文件：
overwrite-target = 目标文件：
overwrite-apply-to-all = 应用于此队列中的所有文件
overwrite-overwrite = 覆盖
overwrite-if-newer = 如果较新则覆盖
overwrite-if-size-differs = 如果大小不同则覆盖
overwrite-resume = 续传
overwrite-rename = 重命名
overwrite-skip = 跳过
certificate-title = 未知证书
certificate-changed =
    警告：{ $host }:{ $port } 的证书在您信任之后已经改变。可能有人正在截获此连接。
    之前信任的指纹：{ $previous }
    现在提供的指纹：{ $offered }
certificate-unverified = 无法验证服务器的证书：{ $reason }。信任之前，请与服务器管理员核对证书指纹。
certificate-host = 主机：
certificate-subject = 主题：
certificate-issuer = 颁发者：
certificate-valid-from = 生效时间：
certificate-valid-until = 过期时间：
certificate-fingerprint = SHA-256 指纹：
certificate-problem = 问题：
certificate-trust-once = 信任一次
certificate-trust-always = 总是信任该证书
certificate-refuse = 拒绝
picker-import-title = 导入 FileZilla 站点
picker-import-filter = FileZilla 站点管理器
picker-export-title = 导出站点
picker-local-dir-title = 默认本地目录

## Site Manager

site-manager-title = 站点管理器
site-connect = 连接
site-correct-fields = 请先更正标出的字段（{ $fields }）
site-invalid = 此站点的设置无效，请先更正
site-select-entry = 选择项目：
site-new-site = 新站点
site-new-folder = 新文件夹
site-rename = 重命名
site-duplicate = 复制
site-delete = 删除
site-new-name = 新名称：
site-apply = 应用
site-select-hint = 请选择一个站点，或用“新站点”创建一个。
site-unnamed = （未命名）
site-tab-general = 通用
site-tab-advanced = 高级
site-tab-transfer = 传输设置
site-tab-charset = 字符集
site-encryption = 加密：
site-encryption-if-available = 如果可用，使用显式的 FTP over TLS
site-encryption-explicit = 要求显式的 FTP over TLS
site-encryption-implicit = 要求隐式的 FTP over TLS
site-encryption-plain = 只使用普通 FTP（不安全）
site-plain-warning = 普通 FTP 以明文发送密码和文件
site-host = 主机：
site-port = 端口：
site-logon = 登录类型：
site-logon-anonymous = 匿名
site-logon-normal = 正常
site-logon-ask = 询问密码
site-logon-account = 帐户
site-user = 用户：
site-password = 密码：
site-password-unchanged = 未更改
site-account = 帐户：
site-folder = 文件夹：
site-folder-top = （顶层）
site-comments = 注释：
site-server-type = 服务器类型：
site-server-type-auto = 默认（自动检测）
site-server-type-dos-virtual = 类 DOS，使用虚拟路径
site-server-type-dos-slashes = DOS，使用正斜杠
site-local-dir = 默认本地目录：
site-browse = 浏览…
site-remote-dir = 默认远程目录：
site-timezone = 时区偏移（分钟）：
site-transfer-mode = 传输模式：
site-mode-default = 默认（被动）
site-mode-active = 主动
site-mode-passive = 被动
site-passive-mode = 被动模式：
site-trust-pasv = 信任服务器 PASV 回复中的地址
site-active-ports = 主动模式端口：
site-port-from = 起始
site-port-to = 至
site-external-ip = 主动模式外部 IP：
site-connections = 连接：
site-limit-connections = 限制并发连接数为
site-uploads = 上传
site-atomic-uploads = 先上传到临时文件名，再重命名
site-atomic-uploads-hint = 连接中断时，真实文件名下不会留下不完整的文件。有些服务器不允许重命名覆盖已有文件。
site-charset = 字符集：
site-charset-auto = 自动检测（服务器支持时使用 UTF-8）
site-charset-custom = 使用自定义字符集
site-error-minutes = 不是分钟数：{ $text }
site-error-port-range = 两端都必须是 1 到 65535 之间的端口
site-error-ip = 不是 IP 地址：{ $text }
site-error-connections = 1 到 10 之间的数字

## What the window writes in the log and under the panes

note-picker-failed = 无法打开文件选择器：{ $error }
note-no-config-for-import = 没有可导入站点的配置文件夹
note-no-config-for-save = 没有配置文件夹：站点未保存
note-sites-still-reading = 仍在读取已保存的站点
note-connect-first = 请先连接到服务器：传输需要两边的文件夹
note-drop-on-remote = 将文件拖放到远程窗格即可上传
note-connect-then-drop = 请先连接到服务器，再拖放文件上传
note-invalid-folder-name = 不是有效的文件夹名称：{ $name }
note-invalid-name = 不是有效的名称：{ $name }
note-unsafe-name = 未下载，该名称在这里不安全：{ $reason }：{ $name }
note-certificate-refused = 已拒绝 { $host }:{ $port } 的证书
note-certificate-trusted = 正在信任 { $host }:{ $port } 的证书 { $fingerprint }
note-demo-serving = 演示服务器正在 ftp://{ $address } 提供示例文件夹
note-demo-failed = 无法启动演示服务器：{ $error }
note-no-saved-password = 没有保存 { $site } 的密码，请输入
note-keyring-silent = 密钥环没有响应（{ $error }），请输入密码
note-no-saved-site = 没有名为 { $path } 的已保存站点
note-created = 已创建 { $path }
note-renamed = 已将 { $from } 重命名为 { $to }
note-trashed = 已将 { $count ->
       *[other] { $count } 项
    }移到回收站
note-opened = 已打开 { $path }
local-cannot-read-folder = 无法读取文件夹
local-cannot-create-folder = 无法创建文件夹
local-cannot-rename = 无法重命名
local-cannot-open = 无法打开
local-name-taken = 该名称已被使用：{ $path }
local-cannot-trash = 无法移到回收站：{ $cause }
local-cannot-save-trust = 无法保存信任的证书：{ $cause }
local-cannot-save-sites = 无法保存站点：{ $cause }
local-cannot-save-recent = 无法保存最近连接的服务器：{ $cause }
local-cannot-export = 无法导出站点：{ $cause }
local-password-not-saved = 密码未保存：{ $cause }；连接时会再询问

## Settings dialog and transfer type

transfer-type-ascii-warning = ASCII 模式会在途中转换换行符：不转换回来的服务器会让文件被改动。
transfer-type-auto-warning = “自动”以 ASCII 模式传输文本文件（txt、html、php…）：途中会转换其换行符。
settings-confirm-quit = 有传输正在进行时，关闭窗口前询问
settings-fallback = 所选模式失败时改用另一种模式
settings-log-no-passwords = 密码从不写入：日志只显示 PASS ****。
settings-preserve-times = 保留所传输文件的修改时间
exists-size-or-newer = 如果大小不同或源文件较新则覆盖
settings-limit-ports = 限制主动模式使用的本地端口
settings-log-to-file = 同时将消息日志写入文件
settings-external-ip = 外部 IP 地址（NAT 之后）：
settings-retry-delay = 重试间隔（秒）：
exists-newer = 如果源文件较新则覆盖
exists-rename = 保留两者（重命名新文件）
settings-download-exists = 下载的目标文件已存在时：
settings-limit-download = 限制下载速度（KiB/s）：
settings-upload-exists = 上传的目标文件已存在时：
exists-size = 如果大小不同则覆盖
settings-keep-alive = 发出 FTP 保持连接指令
settings-queue-done = 队列完成后：
settings-log-file-default = 数据文件夹中的 skiff.log
settings-limit-upload = 限制上传速度（KiB/s）：
queue-done-notify = 显示桌面通知
settings-log-max = 文件达到此大小（MiB）时新建：
settings-retries = 失败后重试次数：
settings-simultaneous = 同时传输数：
settings-data-mode = 默认传输模式
settings-passive = 被动模式（推荐）
settings-transfer-type = 默认传输类型
settings-timeout = 超时（秒）：
settings-log-keep = 保留的旧文件数：
settings-as-system = 跟随系统
settings-active-mode = 主动模式
queue-done-quit = 关闭 Skiff
settings-page-connection = 连接
settings-port-from = 起始端口：
queue-done-nothing = 不执行任何操作
settings-page-transfers = 传输
settings-page-interface = 界面
settings-language = 语言：
exists-overwrite = 覆盖
settings-title = 设置
settings-port-to = 结束端口：
settings-page-logging = 日志
language-english = English
settings-active = 主动模式
settings-theme = 主题：
transfer-type-binary = 二进制
exists-resume = 续传
settings-log-file = 文件：
transfer-type-ascii = ASCII
theme-light = 浅色
settings-none = 无
transfer-type-auto = 自动
exists-skip = 跳过
language-chinese = 简体中文
theme-dark = 深色
exists-ask = 询问
settings-bad-ip = 外部地址不是 IP 地址：{ $address }
menu-transfer-type = 传输类型
queue-size-partial = 已有 { $done }，共 { $size }
queue-state-stalled = 停滞：{ $seconds } 秒没有数据
queue-state-reconnecting = { $seconds } 秒后重新连接：{ $reason }
quit-title = 退出 Skiff？
quit-question = { $count ->
   *[other] 有 { $count } 个传输正在进行。
}仍要退出吗？已传输的部分会保留，下次启动 Skiff 时队列会继续。
quit-button = 退出
quit-edited = { $count ->
   *[other] 有 { $count } 个正在编辑的文件的修改尚未上传到服务器。
}退出 Skiff 后这些修改会丢失（文件 → 显示正在编辑的文件… 可以上传它们）。
connect-for-title = 连接到该站点？
connect-for-question = { $count ->
   *[other] { $count } 个续传的项目属于 { $site }，该站点尚未连接。
}现在连接吗？这些项目会等到连接后再传输。
connect-for-button = 连接
queue-resume-all = 全部继续
queue-pause-all = 全部暂停
note-connect-for-unknown = 没有与 { $site } 相符的已保存站点：请在快速连接工具栏中输入其密码并点击“快速连接”。
dialog-where-local = 在本地计算机的 { $folder } 中
dialog-where-remote = 在服务器的 { $folder } 中
overwrite-size-exact = { $size }（{ $count ->
   *[other] { $bytes } 字节
}）
pane-dragging = { $count ->
   *[other] { $count } 项：{ $first }、{ $second }…
}
window-title-site = { $host } - Skiff
window-title-progress = { $percent }% { $host } - Skiff
notify-done-title = 传输已完成
notify-done-body = { $done ->
   *[other] 已传输 { $done } 项
}{ $failed ->
    [0] 。
   *[other] ，{ $failed } 项失败。
}
notify-failed-title = 传输失败
notify-failed-body = { $count ->
   *[other] { $count } 个传输失败：请查看“传输失败”标签页。
}
note-no-keyring = 没有可用的密钥环，密码不会保存：每次会话只询问一次（{ $error }）。
site-no-keyring = 此计算机上没有可用的密钥环，此密码不会保存：Skiff 在关闭前会记住它，下次启动时会再次询问（{ $reason }）。

## The engine's errors and actions (keys from engine::wording::KEYS)

pane-failed = 无法{ $action }：{ $error }
engine-error-connect = 无法连接（{ $cause }）：{ $host }
engine-error-timeout-connecting = 连接时 { $secs } 秒无响应
engine-error-timeout-tls = 建立 TLS 时 { $secs } 秒无响应
engine-error-timeout-receiving = 接收时 { $secs } 秒没有数据
engine-error-timeout-sending-data = 发送数据时 { $secs } 秒没有进展
engine-error-timeout-command = 发送命令时 { $secs } 秒没有进展
engine-error-timeout-reply = { $secs } 秒没有收到回复
engine-error-timeout = { $secs } 秒后超时（{ $phase }）
engine-error-closed = 服务器关闭了连接
engine-error-network = 网络错误：{ $cause }
engine-error-bad-reply = 无法读取服务器的回复：{ $detail }
engine-error-not-found = 没有这个文件或文件夹：{ $path }
engine-error-delete-top = 拒绝删除服务器的顶层文件夹或以 . 或 .. 结尾的路径：{ $path }
engine-error-invalid-name = 名称无效（为空、.、.. 或含有 /）：{ $name }
engine-error-refused = 服务器拒绝了 { $command }：{ $code } { $reply }
engine-error-login-refused = 登录被拒绝：{ $code } { $reply }
engine-error-account-required = 服务器要求账户（ACCT），但没有设置
engine-error-data-channel = 无法打开数据连接：{ $detail }
engine-error-truncated = 传输不完整：只收到 { $expected } 字节中的 { $got } 字节
engine-error-transfer-failed = 传输在 { $got } 字节后失败：{ $code } { $reply }
engine-error-encoding = 名称无法用 { $charset } 表示：{ $name }
engine-error-local = { $cause }：{ $path }
engine-error-tls = TLS 失败：{ $detail }
engine-error-tls-refused = 服务器拒绝了 TLS（{ $code } { $reply }）；没有以明文发送任何内容
engine-error-certificate = 证书不受信任（{ $reason }），指纹 { $fingerprint }：{ $host }
engine-error-place-failed = 服务器拒绝把上传的文件放到位（{ $code } { $reply }），新版本保存在 { $temp }：{ $target }
engine-error-remote-changed = 文件在打开后已在服务器上被修改，未上传：{ $path }
engine-error-cancelled = 已取消
engine-error-internal = Skiff 内部错误（请报告）：{ $detail }
engine-error-detail = { $detail }
engine-action-connect = 连接到 { $host }
engine-action-reconnect = 重新连接
engine-action-disconnect = 断开连接
engine-action-list = 列出 { $path }
engine-action-refresh = 刷新
engine-action-parent = 打开上级文件夹
engine-action-mkdir = 创建文件夹 { $path }
engine-action-rename = 将 { $from } 重命名为 { $to }
engine-action-delete = 删除 { $path }
engine-action-settings = 更改连接设置

## Bookmarks

menu-bookmarks = 书签
action-add-bookmark = 添加书签…
bookmark-add-title = 添加书签
bookmark-name = 名称：
bookmark-local = 本地文件夹：
bookmark-remote = 远程文件夹：
bookmark-sync-browsing = 使用同步浏览
bookmark-site-specific = 特定站点书签（{ $site }）
bookmark-global = 全局书签
bookmark-global-only = 全局书签（没有连接已保存的站点）。
bookmark-needs = 书签需要名称以及本地或远程文件夹。
note-bookmark-not-connected = 连接后才会打开书签的远程文件夹。
note-sites-not-read = 仍在读取已保存的站点，请稍后再试。
## 目录比较与同步浏览（issue 16）
menu-view = 查看
action-compare = 目录比较
action-compare-size-time = 比较大小和时间
action-compare-size = 仅比较大小
action-compare-time = 仅比较时间
action-hide-identical = 隐藏相同的文件
action-sync-browsing = 同步浏览
compare-tag-lone = 仅此侧
compare-tag-newer = 较新
compare-tag-older = 较旧
compare-tag-size = 大小不同
compare-tag-kind = 文件/目录
note-sync-browsing-needs-both = 同步浏览需要两侧都显示目录：请先连接
note-sync-browsing-missing = 同步浏览已关闭：另一侧不存在该目录：{ $folder }
action-synchronize = 同步…
sync-title = 同步
sync-direction-upload = 上传：使服务器上的目录与本地目录一致
sync-direction-download = 下载：使本地目录与服务器上的目录一致
sync-delete = 删除源目录中没有的项目
sync-compare-by = 比较方式：
sync-recursive = 两个目录会逐层比较到底：其中的每个子目录也会比较。
sync-action-upload = 上传
sync-action-download = 下载
sync-action-folder = 创建目录
sync-action-delete = 删除
sync-action-conflict = 冲突，保持不变
sync-action-skip = 保持不变
sync-step = { $action }：{ $path }
sync-count-upload = { $count ->
   *[other] 上传 { $count } 个文件（{ $size }）
}
sync-count-download = { $count ->
   *[other] 下载 { $count } 个文件（{ $size }）
}
sync-count-folder = { $count ->
   *[other] 创建 { $count } 个目录
}
sync-count-delete = { $count ->
   *[other] 删除 { $count } 项
}
sync-count-skip = { $count ->
   *[other] { $count } 项保持不变（冲突或不安全的名称）
}
sync-nothing = 无需操作：两个目录已同步
sync-run = 运行
note-sync-running = 正在同步：已将 { $count } 个步骤加入队列
note-sync-browsing-new-site = 同步浏览已关闭：已连接到另一台服务器
## Remote operations (issue 17): recursive delete, permissions, custom command
action-permissions = 文件权限…
action-custom-command = 输入自定义命令…
dialog-close = 关闭
note-chmod-select-one = 请选择要更改权限的远程文件或目录。
note-quote-empty = 请输入要发送的命令。
note-quote-needs-data = { $verb } 需要数据连接，自定义命令无法使用：请改用浏览、下载或上传。
note-quote-changes-session = { $verb } 会改变连接的登录、加密或传输设置，因此未发送。
note-quote-line-break = 命令中不能包含换行，因此未发送。
note-op-failed = { $reason }：{ $path }
note-deleted-count = 已在服务器上删除 { $count } 个文件和目录。
delete-counting = 正在统计{ $count ->
        [1] “{ $name }”
       *[other] 这 { $count } 项
    }中的内容…
delete-listed = 已列出 { $count } 个目录
delete-summary = { $folders } 个目录，{ $files } 个文件，{ $size }
delete-progress = 已删除 { $files } 个文件和 { $folders } 个目录（{ $done } / { $total }）
delete-cancelling = 正在取消…
delete-stopped = 删除已停止：{ $reason }
delete-failures = { $count ->
        [0] 没有失败项。
       *[other] 有 { $count } 个路径无法删除：
    }
quote-title = 输入自定义命令
quote-explain = 命令在浏览连接上发送；服务器的回复显示在消息日志中。
quote-prompt = 命令：
quote-send = 发送
chmod-title = 文件权限
chmod-for = 服务器上“{ $name }”的权限
chmod-read = 读取
chmod-write = 写入
chmod-execute = 执行
chmod-owner = 所有者
chmod-group = 组
chmod-public = 公共
chmod-bit = { $who }：{ $what }
chmod-numeric = 数字值：
chmod-recurse = 递归进入子目录
chmod-all = 应用到所有文件和目录
chmod-files-only = 仅应用到文件
chmod-folders-only = 仅应用到目录
chmod-invalid = 数字值不是 644 这样的八进制权限。
chmod-apply = 应用
chmod-result-failed = 权限未更改：{ $reason }
chmod-result-some-failed = 有 { $count } 个路径无法更改：{ $reason }
chmod-result-done = 权限已更改（{ $count } 项）。
action-search-remote = 搜索远程文件…
search-title = 搜索远程文件
search-in = 在服务器上的 { $folder } 及其子目录中搜索
search-name = 名称：
search-contains = 包含
search-glob = 匹配模式（*.log）
search-min-size = 最小大小（字节）：
search-start = 搜索
search-stop = 停止
search-running = 已列出 { $listed } 个目录，目前找到 { $count } 个匹配项
search-dropped = 另有 { $count } 个匹配项未保留。
search-download = 下载所选项
search-open-folder = 打开目录
search-bad-glob = 名称模式不是有效的通配符：{ $pattern }
search-bad-size = 最小大小不是字节数：{ $size }
search-done = 搜索找到 { $count } 个匹配项。
search-done-with-failures = 搜索找到 { $count } 个匹配项；有 { $failed } 个目录无法列出。
search-stopped = 搜索在找到 { $count } 个匹配项后停止：{ $reason }
search-newer = 修改时间晚于：
search-date-hint = 年-月-日（YYYY-MM-DD）
search-bad-date = 日期不是 2024-12-31 这样的格式：{ $date }
engine-action-quote = 发送 { $command }
sync-missing-title = 另一侧没有这个文件夹
sync-missing-question = 同步浏览无法进入该文件夹。要在那里创建该文件夹，还是停止同步浏览？
sync-missing-create = 创建文件夹
sync-missing-stop = 停止同步浏览
sync-direction-both = 双向：两侧都以较新的文件为准；不删除任何内容
sync-excludes = 排除：
sync-excludes-bad = 无法使用这些排除规则（{ $reason }），因此不排除任何内容。
sync-excludes-hint = *.tmp .git
action-view-edit = 查看/编辑
action-edited-files = 显示正在编辑的文件…
note-editing = 已用编辑器打开 { $path }
note-edit-select-file = 请选择要查看或编辑的文件。
note-edit-unsafe-name = { $reason }，无法在此编辑：{ $name }
note-edit-fetching = 正在下载以便编辑：{ $path }
note-edit-failed = { $reason }：{ $path }
note-edit-uploaded = 已把编辑后的文件上传到服务器：{ $path }
note-edit-not-watched = 无法监视该文件的保存（{ $reason }），请在 文件 → 显示正在编辑的文件… 中上传：{ $path }
edit-changed-while-fetching = 下载期间服务器上的文件一直在变化
edit-saved-title = 文件已保存
edit-saved-question = { $name } 已在编辑器中保存。要上传到 { $host }（{ $path }）吗？
edit-changed-title = 服务器上的文件已被修改
edit-changed-question = 自你打开 { $name } 以来，它已在 { $host } 上被修改（{ $path }）。上传你的版本会覆盖服务器上的修改。
edit-upload = 上传
edit-overwrite = 上传并覆盖
edit-not-now = 暂不
edit-open = 打开
edit-forget = 停止编辑
edit-state-downloading = 正在下载
edit-state-open = 已打开，未修改
edit-state-edited = 已修改，未上传
edit-state-uploading = 正在上传
edit-state-uploaded = 已上传
edit-state-server-changed = 服务器上也被修改
edit-state-failed = 失败：{ $reason }
edit-list-title = 正在编辑的文件
edit-list-empty = 没有正在编辑的文件。右键单击远程文件并选择“查看/编辑”。
edit-list-file = 文件
edit-list-server = 服务器
edit-list-state = 状态
settings-page-editing = 查看/编辑
settings-edit-when-saved = 编辑的文件保存后
settings-edit-ask = 询问是否上传
settings-edit-always = 立即上传
settings-editor = 编辑器：
settings-editor-default = 系统默认程序
settings-editor-hint = 一个程序，或用 %f 代表文件的命令行（code --wait %f）。
settings-edit-safety = 上传前 Skiff 会检查服务器上的文件仍是你打开的那一份，并先上传到临时文件名，再重命名覆盖原文件。
chmod-for-many = 所选 { $count } 个文件和目录的权限：
chmod-mixed = 它们的权限各不相同；复选框取自 { $name } 的权限，所有选中的项目都会设为所选的权限。
site-protocol = 协议：
site-protocol-ftp = FTP - 文件传输协议
site-protocol-sftp = SFTP - SSH 文件传输协议
site-logon-key-file = 密钥文件
site-key-file = 密钥文件：
site-passphrase = 密码短语（如果密钥有）：
host-key-title = 未知的主机密钥
host-key-unknown = 服务器的主机密钥不在 known_hosts 中，Skiff 无法确认 { $host }:{ $port } 就是你要连接的服务器。
host-key-changed-title = 主机密钥已更改
host-key-changed = 警告：{ $host }:{ $port } 的主机密钥与 known_hosts 记录的不同（{ $recorded }），服务器提供的是 { $offered }。可能有人在截获连接，或服务器已重装。只有在管理员告诉你密钥已更改时才替换它。
host-key-type = 密钥类型：
host-key-check = 请将指纹与服务器管理员提供的指纹进行比较（在服务器上对其密钥运行 ssh-keygen -lf）。
engine-error-ssh = SSH 失败：{ $detail }
engine-error-host-key-unknown = 服务器的主机密钥未知（{ $key_type } { $fingerprint }）：{ $host }
engine-error-host-key-changed = 服务器的主机密钥已更改：known_hosts 第 { $line } 行记录的是 { $recorded }，服务器提供的是 { $offered }（可能有人在截获连接）：{ $host }
engine-error-host-key-revoked = 服务器的主机密钥 { $fingerprint } 已被吊销（known_hosts 第 { $line } 行）：{ $host }
engine-error-ssh-login = 登录被拒绝（已尝试 { $tried }）：{ $user }@{ $host }
engine-error-key-file = 无法使用密钥文件（{ $reason }）：{ $path }
engine-error-sftp-status = 服务器拒绝了 { $request }（{ $status } { $reply }）：{ $path }
sync-walking = 正在比较目录：已列出服务器上的 { $count } 个目录
sync-action-kind-conflict = 冲突（一侧是文件，另一侧是目录），保持不变
sync-walk-failed = 无法比较这两个目录（{ $reason }）
engine-error-key-passphrase = 密钥文件已加密，但没有提供密码短语：{ $path }
engine-error-not-a-folder = 不是目录：{ $path }
engine-error-not-over-sftp = { $what }只存在于 FTP 中，而此站点使用 SFTP
dialog-passphrase-title = 输入密钥的密码短语
dialog-passphrase-prompt = 密钥文件已加密：{ $file }
dialog-passphrase-label = 密码短语：
