// Every word the console shows, in Vietnamese (the default) and English (the switch).
export const texts = {
  vi: {
    title: 'Bảng điều khiển phòng', login: 'Đăng nhập', user: 'Tên đăng nhập', password: 'Mật khẩu', logout: 'Đăng xuất',
    estop: 'DỪNG KHẨN CẤP', reset: 'Mở khóa dừng khẩn cấp', latched: 'ĐÃ DỪNG KHẨN CẤP — mọi động cơ đã dừng',
    connected: 'đã kết nối', disconnected: 'đã rút cáp', connecting: 'đang kết nối', fault: 'lỗi', stopped: 'đã dừng', estopped: 'dừng khẩn cấp',
    driver: 'Chương trình điều khiển', none: 'không có', wrong: 'Sai tên đăng nhập hoặc mật khẩu', team: 'Nhóm', teamFlow: 'luồng bài học của nhóm',
    club: 'Buổi câu lạc bộ robot', noSession: 'Chưa có buổi nào đang chạy.', start: 'Bắt đầu buổi', lesson: 'Bài học', class: 'Lớp',
    teams: 'Các nhóm', teamName: 'Tên nhóm', kit: 'Bộ kit', members: 'Thành viên', addTeam: 'Thêm nhóm', removeTeam: 'Bỏ nhóm',
    deploy: 'Triển khai bài mẫu cho các nhóm', deployed: 'Đã triển khai', end: 'Kết thúc buổi', endAsk: 'Kết thúc buổi này?',
    verdict: 'Kết quả chấm', pass: 'ĐẠT', fail: 'CHƯA ĐẠT', invalid: 'KHÔNG CHẤM ĐƯỢC', notChecked: 'chưa chấm',
    handOver: 'Giao bộ kit cho luồng của nhóm', free: 'Giải phóng bộ kit', summary: 'Tổng kết', print: 'Bản in', csv: 'Tải CSV', xlsx: 'Tải Excel',
    yourTeam: 'Nhóm của em', noTeam: 'Em chưa ở nhóm nào trong buổi đang chạy.', sessionOf: 'Buổi', started: 'Bắt đầu', lastSessions: 'Các buổi gần đây',
    care: 'Kiểm tra thiết bị (kỹ thuật viên)', selftestAll: 'Tự kiểm tra tất cả', selftestKit: 'Tự kiểm tra', history: 'Lịch sử',
    confirmMotors: 'Tự kiểm tra sẽ quay động cơ và servo trong giây lát. Hãy nhấc robot lên hoặc để chỗ trống. Tiếp tục?',
    lastTest: 'Lần kiểm tra gần nhất', faults: 'Sự cố', never: 'chưa có', running: 'Đang kiểm tra…', ok: 'đạt', warn: 'cảnh báo', skip: 'bỏ qua',
    'reason:unplugged': 'đã rút cáp', 'reason:port closed': 'cổng nối tiếp đã đóng',
    minutes: 'Số phút sử dụng', passed: 'Đã đạt', checks: 'Số lần chấm', kitProblems: 'Sự cố bộ kit', yes: 'có', no: 'chưa', ended: 'Kết thúc', teacher: 'Giáo viên',
  },
  en: {
    title: 'Room console', login: 'Log in', user: 'User name', password: 'Password', logout: 'Log out',
    estop: 'EMERGENCY STOP', reset: 'Reset the emergency stop', latched: 'EMERGENCY STOP — every motor is stopped',
    connected: 'connected', disconnected: 'unplugged', connecting: 'connecting', fault: 'fault', stopped: 'stopped', estopped: 'e-stopped',
    driver: 'Driven by', none: 'none', wrong: 'Wrong user name or password', team: 'Team', teamFlow: 'the lesson flow of team',
    club: 'Robot club session', noSession: 'No session is running.', start: 'Start the session', lesson: 'Lesson', class: 'Class',
    teams: 'Teams', teamName: 'Team name', kit: 'Kit', members: 'Members', addTeam: 'Add a team', removeTeam: 'Remove',
    deploy: "Deploy the lesson's starter to the teams", deployed: 'Deployed', end: 'End the session', endAsk: 'End this session?',
    verdict: 'Check', pass: 'PASS', fail: 'NOT YET', invalid: 'CANNOT CHECK', notChecked: 'not checked',
    handOver: "Hand the kit to the team's flow", free: 'Free the kit', summary: 'Summary', print: 'Printable', csv: 'Download CSV', xlsx: 'Download Excel',
    yourTeam: 'Your team', noTeam: 'You are in no team of the running session.', sessionOf: 'Session', started: 'Started', lastSessions: 'Recent sessions',
    care: 'Kit checks (technician)', selftestAll: 'Self-test all kits', selftestKit: 'Self-test', history: 'History',
    confirmMotors: 'The self-test turns motors and servos briefly. Lift the robots or give them room. Go on?',
    lastTest: 'Last self-test', faults: 'Faults', never: 'none yet', running: 'Testing…', ok: 'pass', warn: 'warning', skip: 'skipped',
    'reason:unplugged': 'unplugged', 'reason:port closed': 'serial port closed',
    minutes: 'Minutes of use', passed: 'Passed', checks: 'Checks', kitProblems: 'Kit problems', yes: 'yes', no: 'not yet', ended: 'Ended', teacher: 'Teacher',
  },
};

export const i18n = {
  lang: localStorage.getItem('stemlab-lang') === 'en' ? 'en' : 'vi',
};

export const t = (key) => texts[i18n.lang][key] ?? key;

/** A kit's fault reason as the agent gives it, in the reader's language where the console knows it. */
export const reasonText = (reason) => texts[i18n.lang][`reason:${reason}`] ?? reason;

/** A kit's loss: its state and, when it says more, its reason ("lỗi: board stopped answering"). */
export function lossText(state, reason) {
  const why = reason ? reasonText(reason) : '';
  return why && why !== t(state) ? `${t(state)}: ${why}` : t(state);
}

/** A refusal's message in the reader's language (the club's replies carry messageVi). */
export const message = (reply) => (i18n.lang === 'vi' && reply.messageVi) || reply.message || '';

export async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return res.json();
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node[key] = value;
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

export const time = (ms) => (ms ? new Date(ms).toLocaleTimeString(i18n.lang === 'vi' ? 'vi-VN' : 'en-GB') : '');
