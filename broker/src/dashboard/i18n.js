// Every text the dashboard shows, in Vietnamese (the default) and English, in one table; the
// language chosen is remembered. Dates are shown in Asia/Ho_Chi_Minh, numbers the language's way.
// broker/test/dashboard.test.ts checks that both languages have the same keys and that every key
// the pages use exists.

export const messages = {
  vi: {
    'app.title': 'STEMLab Edge — Sở GD&ĐT TP.HCM',
    'app.skip': 'Bỏ qua, đến nội dung chính',
    'nav.overview': 'Tổng quan',
    'nav.myUnit': 'Đơn vị của tôi',
    'nav.reports': 'Báo cáo quý',
    'nav.admin': 'Quản trị',
    'nav.logout': 'Đăng xuất',
    'lang.other': 'English',
    'lang.switch': 'Chuyển sang tiếng Anh',
    'user.signedInAs': '{username} · {role}',

    'login.title': 'Đăng nhập',
    'login.intro': 'Theo dõi việc sử dụng thiết bị tại các đơn vị thí điểm: CLB robot STEM, trung tâm thực hành và lớp học thông minh.',
    'login.username': 'Tên đăng nhập',
    'login.password': 'Mật khẩu',
    'login.submit': 'Đăng nhập',
    'login.loggedOut': 'Bạn đã đăng xuất.',

    'error.title': 'Có lỗi',
    'error.notFoundTitle': 'Không có trang này',
    'error.forbiddenTitle': 'Không có quyền truy cập',
    'error.wrongPassword': 'Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khóa. Vui lòng kiểm tra và thử lại.',
    'error.tooMany': 'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.',
    'error.sessionExpired': 'Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.',
    'error.forbidden': 'Tài khoản của bạn không được phép xem trang này.',
    'error.notFound': 'Không tìm thấy nội dung yêu cầu.',
    'error.badRequest': 'Dữ liệu chưa hợp lệ: {detail}',
    'error.conflict': 'Không thể thực hiện: {detail}',
    'error.network': 'Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.',
    'error.internal': 'Máy chủ gặp sự cố. Vui lòng thử lại sau; nếu vẫn lỗi, báo cho quản trị viên.',

    'common.loading': 'Đang tải…',
    'common.all': 'Tất cả',
    'common.never': 'Chưa thấy',
    'common.online': 'Trực tuyến',
    'common.offline': 'Ngoại tuyến',
    'common.yes': 'Có',
    'common.no': 'Không',
    'common.save': 'Lưu',
    'common.cancel': 'Hủy',

    'kind.robot-club': 'CLB robot STEM',
    'kind.lab-centre': 'Trung tâm thực hành',
    'kind.smart-classroom': 'Lớp học thông minh',
    'kinds.robot-club': 'Câu lạc bộ robot STEM',
    'kinds.lab-centre': 'Trung tâm thực hành, thí nghiệm',
    'kinds.smart-classroom': 'Lớp học thông minh',
    'level.primary': 'Tiểu học',
    'level.lower-secondary': 'THCS',
    'level.upper-secondary': 'THPT',
    'role.viewer': 'Cán bộ Sở (xem)',
    'role.teacher': 'Giáo viên',
    'role.technician': 'Kỹ thuật viên',
    'role.admin': 'Quản trị viên',

    'overview.title': 'Tổng quan thiết bị các đơn vị',
    'overview.summary': 'Số liệu chung',
    'overview.gatewaysOnline': 'Gateway đang trực tuyến',
    'overview.xOfY': '{x} / {y}',
    'overview.neverSeen': 'Đơn vị chưa thấy gateway nào',
    'overview.units': 'Danh sách đơn vị',
    'overview.search': 'Tìm kiếm',
    'overview.searchHint': 'Tên hoặc mã đơn vị',
    'overview.district': 'Quận/huyện',
    'overview.kind': 'Loại hình',
    'overview.level': 'Cấp học',
    'overview.showing': 'Đang hiển thị {shown} / {total} đơn vị',
    'overview.noMatch': 'Không có đơn vị nào khớp với bộ lọc.',
    'overview.colName': 'Đơn vị',
    'overview.colGateways': 'Gateway trực tuyến',
    'overview.colLastSeen': 'Lần cuối thấy',

    'unit.back': '← Về tổng quan',
    'unit.placeholder': 'tên tạm, chờ Sở cập nhật tên trường',
    'unit.gateway': 'Gateway {id}',
    'unit.notRegistered': '(không có trong danh mục)',
    'unit.status': 'Trạng thái',
    'unit.lastSeen': 'Lần cuối thấy',
    'unit.agentVersion': 'Phiên bản phần mềm',
    'unit.kits': 'Bộ thiết bị',
    'unit.kit': 'Bộ',
    'unit.state': 'Trạng thái',
    'unit.reason': 'Chi tiết (lý do lỗi)',
    'unit.since': 'Từ lúc',
    'unit.noKits': 'Gateway chưa báo bộ thiết bị nào.',
    'unit.readings': 'Số đo mới nhất',
    'unit.component': 'Thành phần',
    'unit.value': 'Giá trị',
    'unit.at': 'Thời điểm',
    'unit.noReadings': 'Chưa có số đo.',
    'unit.gaps': 'Dữ liệu còn thiếu',
    'unit.seqRange': 'Số thứ tự sự kiện',
    'unit.missing': 'Còn thiếu',
    'unit.evicted': 'Đã mất',
    'unit.detected': 'Phát hiện lúc',
    'unit.noGaps': 'Không thiếu dữ liệu.',
    'kitState.connected': 'Đã kết nối',
    'kitState.disconnected': 'Đã ngắt kết nối',
    'kitState.fault': 'Lỗi',
    'gapStatus.open': 'Đang chờ gửi lên',
    'gapStatus.evicted': 'Đã mất (gateway đã báo)',

    'reports.title': 'Báo cáo sử dụng thiết bị theo quý',
    'reports.intro': 'Các đơn vị báo cáo Sở trước 17 giờ ngày 25/3, 25/6, 25/9 và 25/12.',
    'reports.quarter': 'Quý',
    'reports.quarterName': 'Quý {q}/{year}',
    'reports.show': 'Xem báo cáo',
    'reports.download': 'Tải về:',
    'reports.downloaded': 'Đã tải về {name}.',
    'reports.csv': 'CSV',
    'reports.xlsx': 'Excel (XLSX)',
    'reports.json': 'JSON',
    'reports.deadline': 'Hạn nộp: {date}',
    'reports.generated': 'Lập lúc {date}',
    'reports.completeness': 'Mức đầy đủ của dữ liệu',
    'reports.units': 'Tóm tắt theo đơn vị',
    'reports.colData': 'Dữ liệu',
    'reports.colHours': 'Số giờ sử dụng',
    'reports.colSessions': 'Số buổi sử dụng',
    'reports.colFaults': 'Số lần lỗi',
    'dataStatus.complete': 'Đầy đủ',
    'dataStatus.incomplete': 'Còn thiếu',
    'dataStatus.no-data': 'Chưa có dữ liệu',

    'admin.title': 'Quản trị',
    'admin.users': 'Tài khoản',
    'admin.username': 'Tên đăng nhập',
    'admin.usernameHint': 'Chữ thường không dấu, số, dấu chấm hoặc gạch, ví dụ nguyen.an',
    'admin.password': 'Mật khẩu',
    'admin.passwordHint': 'Ít nhất 10 ký tự',
    'admin.newPassword': 'Mật khẩu mới (để trống nếu giữ nguyên)',
    'admin.role': 'Vai trò',
    'admin.unit': 'Đơn vị',
    'admin.noUnit': '— không có —',
    'admin.status': 'Tình trạng',
    'admin.active': 'Đang hoạt động',
    'admin.disabled': 'Đã khóa',
    'admin.edit': 'Sửa',
    'admin.editUser': 'Sửa tài khoản {username}',
    'admin.createUser': 'Tạo tài khoản',
    'admin.create': 'Tạo tài khoản',
    'admin.userCreated': 'Đã tạo tài khoản {username}.',
    'admin.userSaved': 'Đã lưu tài khoản {username}.',
    'admin.nothingChanged': 'Không có gì thay đổi.',
    'admin.registry': 'Danh mục đơn vị',
    'admin.unitPick': 'Đơn vị cần sửa',
    'admin.newUnit': '— thêm đơn vị mới —',
    'admin.unitId': 'Mã đơn vị',
    'admin.unitIdHint': 'Chữ thường không dấu, số và gạch, ví dụ thcs-q1-03',
    'admin.nameVi': 'Tên (tiếng Việt)',
    'admin.nameEn': 'Tên (tiếng Anh)',
    'admin.gateways': 'Gateway',
    'admin.gatewaysHint': 'Mã các gateway, cách nhau bởi dấu phẩy, ví dụ robot-club-1',
    'admin.addUnit': 'Thêm đơn vị',
    'admin.saveUnit': 'Lưu đơn vị',
    'admin.removeUnit': 'Xóa đơn vị',
    'admin.confirmRemove': 'Bấm lần nữa để xóa {id}',
    'admin.unitAdded': 'Đã thêm đơn vị {id}.',
    'admin.unitSaved': 'Đã lưu đơn vị {id}.',
    'admin.unitRemoved': 'Đã xóa đơn vị {id}.',
    'admin.audit': 'Nhật ký thay đổi',
    'admin.auditEntity': 'Đối tượng',
    'admin.auditAt': 'Thời điểm',
    'admin.auditActor': 'Người thực hiện',
    'admin.auditAction': 'Thao tác',
    'admin.auditId': 'Mã',
    'admin.loadMore': 'Xem thêm',
    'entity.unit': 'Đơn vị',
    'entity.user': 'Tài khoản',
    'action.seed': 'Khởi tạo danh mục',
    'action.add': 'Thêm đơn vị',
    'action.update': 'Sửa đơn vị',
    'action.remove': 'Xóa đơn vị',
    'action.user.create': 'Tạo tài khoản',
    'action.user.update': 'Đổi vai trò/đơn vị',
    'action.user.disable': 'Khóa tài khoản',
    'action.user.enable': 'Mở khóa tài khoản',
    'action.user.password': 'Đặt mật khẩu mới',
    'action.session.login': 'Quản trị viên đăng nhập',
  },
  en: {
    'app.title': 'STEMLab Edge — HCMC Department of Education and Training',
    'app.skip': 'Skip to the main content',
    'nav.overview': 'Overview',
    'nav.myUnit': 'My unit',
    'nav.reports': 'Quarterly reports',
    'nav.admin': 'Administration',
    'nav.logout': 'Log out',
    'lang.other': 'Tiếng Việt',
    'lang.switch': 'Switch to Vietnamese',
    'user.signedInAs': '{username} · {role}',

    'login.title': 'Log in',
    'login.intro': 'Equipment use at the pilot units: STEM robot clubs, lab centres and smart classrooms.',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.loggedOut': 'You have logged out.',

    'error.title': 'Something went wrong',
    'error.notFoundTitle': 'No such page',
    'error.forbiddenTitle': 'Not allowed',
    'error.wrongPassword': 'Wrong username or password, or the account is disabled. Check them and try again.',
    'error.tooMany': 'Too many failed log-ins. Try again in {minutes} minutes.',
    'error.sessionExpired': 'Your session has expired. Please log in again.',
    'error.forbidden': 'Your account may not see this page.',
    'error.notFound': 'What you asked for was not found.',
    'error.badRequest': 'Not valid: {detail}',
    'error.conflict': 'Cannot do this: {detail}',
    'error.network': 'Cannot reach the server. Check the network and try again.',
    'error.internal': 'The server had a problem. Try again later; if it persists, tell an administrator.',

    'common.loading': 'Loading…',
    'common.all': 'All',
    'common.never': 'Never seen',
    'common.online': 'Online',
    'common.offline': 'Offline',
    'common.yes': 'Yes',
    'common.no': 'No',
    'common.save': 'Save',
    'common.cancel': 'Cancel',

    'kind.robot-club': 'STEM robot club',
    'kind.lab-centre': 'Lab centre',
    'kind.smart-classroom': 'Smart classroom',
    'kinds.robot-club': 'STEM robot clubs',
    'kinds.lab-centre': 'Practice and lab centres',
    'kinds.smart-classroom': 'Smart classrooms',
    'level.primary': 'Primary',
    'level.lower-secondary': 'Lower secondary',
    'level.upper-secondary': 'Upper secondary',
    'role.viewer': 'Department (viewer)',
    'role.teacher': 'Teacher',
    'role.technician': 'Technician',
    'role.admin': 'Administrator',

    'overview.title': "Units' equipment overview",
    'overview.summary': 'Summary',
    'overview.gatewaysOnline': 'Gateways online now',
    'overview.xOfY': '{x} / {y}',
    'overview.neverSeen': 'Units with no gateway seen',
    'overview.units': 'Units',
    'overview.search': 'Search',
    'overview.searchHint': 'Unit name or id',
    'overview.district': 'District',
    'overview.kind': 'Kind',
    'overview.level': 'Level',
    'overview.showing': 'Showing {shown} of {total} units',
    'overview.noMatch': 'No unit matches the filters.',
    'overview.colName': 'Unit',
    'overview.colGateways': 'Gateways online',
    'overview.colLastSeen': 'Last seen',

    'unit.back': '← Back to the overview',
    'unit.placeholder': 'placeholder name, until the department sets the school’s own',
    'unit.gateway': 'Gateway {id}',
    'unit.notRegistered': '(not in the registry)',
    'unit.status': 'Status',
    'unit.lastSeen': 'Last seen',
    'unit.agentVersion': 'Software version',
    'unit.kits': 'Kits',
    'unit.kit': 'Kit',
    'unit.state': 'State',
    'unit.reason': 'Details (fault reason)',
    'unit.since': 'Since',
    'unit.noKits': 'The gateway has reported no kit yet.',
    'unit.readings': 'Latest readings',
    'unit.component': 'Component',
    'unit.value': 'Value',
    'unit.at': 'At',
    'unit.noReadings': 'No reading yet.',
    'unit.gaps': 'Missing data',
    'unit.seqRange': 'Event numbers',
    'unit.missing': 'Missing',
    'unit.evicted': 'Lost',
    'unit.detected': 'Detected',
    'unit.noGaps': 'No data missing.',
    'kitState.connected': 'Connected',
    'kitState.disconnected': 'Disconnected',
    'kitState.fault': 'Fault',
    'gapStatus.open': 'Waiting to arrive',
    'gapStatus.evicted': 'Lost (reported by the gateway)',

    'reports.title': 'Quarterly equipment use report',
    'reports.intro': 'Units report to the department before 17:00 on 25 March, 25 June, 25 September and 25 December.',
    'reports.quarter': 'Quarter',
    'reports.quarterName': 'Q{q} {year}',
    'reports.show': 'Show report',
    'reports.download': 'Download:',
    'reports.downloaded': 'Downloaded {name}.',
    'reports.csv': 'CSV',
    'reports.xlsx': 'Excel (XLSX)',
    'reports.json': 'JSON',
    'reports.deadline': 'Deadline: {date}',
    'reports.generated': 'Generated {date}',
    'reports.completeness': 'Data completeness',
    'reports.units': 'Summary by unit',
    'reports.colData': 'Data',
    'reports.colHours': 'Hours used',
    'reports.colSessions': 'Sessions',
    'reports.colFaults': 'Faults',
    'dataStatus.complete': 'Complete',
    'dataStatus.incomplete': 'Incomplete',
    'dataStatus.no-data': 'No data',

    'admin.title': 'Administration',
    'admin.users': 'Accounts',
    'admin.username': 'Username',
    'admin.usernameHint': 'Lower-case letters, digits, dots or dashes, e.g. nguyen.an',
    'admin.password': 'Password',
    'admin.passwordHint': 'At least 10 characters',
    'admin.newPassword': 'New password (leave empty to keep)',
    'admin.role': 'Role',
    'admin.unit': 'Unit',
    'admin.noUnit': '— none —',
    'admin.status': 'Status',
    'admin.active': 'Active',
    'admin.disabled': 'Disabled',
    'admin.edit': 'Edit',
    'admin.editUser': 'Edit account {username}',
    'admin.createUser': 'Create an account',
    'admin.create': 'Create account',
    'admin.userCreated': 'Account {username} created.',
    'admin.userSaved': 'Account {username} saved.',
    'admin.nothingChanged': 'Nothing changed.',
    'admin.registry': 'Unit registry',
    'admin.unitPick': 'Unit to edit',
    'admin.newUnit': '— add a new unit —',
    'admin.unitId': 'Unit id',
    'admin.unitIdHint': 'Lower-case letters, digits and dashes, e.g. thcs-q1-03',
    'admin.nameVi': 'Name (Vietnamese)',
    'admin.nameEn': 'Name (English)',
    'admin.gateways': 'Gateways',
    'admin.gatewaysHint': 'Gateway ids separated by commas, e.g. robot-club-1',
    'admin.addUnit': 'Add unit',
    'admin.saveUnit': 'Save unit',
    'admin.removeUnit': 'Remove unit',
    'admin.confirmRemove': 'Click again to remove {id}',
    'admin.unitAdded': 'Unit {id} added.',
    'admin.unitSaved': 'Unit {id} saved.',
    'admin.unitRemoved': 'Unit {id} removed.',
    'admin.audit': 'Audit log',
    'admin.auditEntity': 'Entity',
    'admin.auditAt': 'When',
    'admin.auditActor': 'Who',
    'admin.auditAction': 'Action',
    'admin.auditId': 'Id',
    'admin.loadMore': 'Load more',
    'entity.unit': 'Unit',
    'entity.user': 'Account',
    'action.seed': 'Registry seeded',
    'action.add': 'Unit added',
    'action.update': 'Unit changed',
    'action.remove': 'Unit removed',
    'action.user.create': 'Account created',
    'action.user.update': 'Role/unit changed',
    'action.user.disable': 'Account disabled',
    'action.user.enable': 'Account enabled',
    'action.user.password': 'New password set',
    'action.session.login': 'Administrator logged in',
  },
};

const LANG_KEY = 'stemlab.lang';
const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
let current = readLang();

function readLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    return saved === 'en' || saved === 'vi' ? saved : 'vi';
  } catch {
    return 'vi';
  }
}

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === 'en' ? 'en' : 'vi';
  try {
    localStorage.setItem(LANG_KEY, current);
  } catch {
    // Private mode without storage: the choice lasts until the page is closed.
  }
}

/** The text of `key` in the current language, with {name} replaced from params. */
export function t(key, params = {}) {
  const text = messages[current][key] ?? messages.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

export function fmtDate(iso) {
  return new Intl.DateTimeFormat(LOCALES[current], { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

export function fmtNumber(n, decimals = 0) {
  return new Intl.NumberFormat(LOCALES[current], { maximumFractionDigits: decimals, minimumFractionDigits: decimals }).format(n);
}

/** What to tell the person about a failed request (an ApiFailure from api.js), in their language. */
export function errorText(err) {
  switch (err?.code) {
    case 'UNAUTHENTICATED':
      return t('error.wrongPassword');
    case 'TOO_MANY_REQUESTS':
      return t('error.tooMany', { minutes: fmtNumber(Math.max(1, Math.ceil((err.retryAfterSec ?? 60) / 60))) });
    case 'FORBIDDEN':
      return t('error.forbidden');
    case 'NOT_FOUND':
      return t('error.notFound');
    case 'BAD_REQUEST':
      return t('error.badRequest', { detail: err.message });
    case 'CONFLICT':
      return t('error.conflict', { detail: err.message });
    case 'NETWORK':
      return t('error.network');
    default:
      return t('error.internal');
  }
}
