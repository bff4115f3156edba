/** What the report says in Vietnamese and English: column names, labels, notes, the completeness summary. */

export type Lang = 'vi' | 'en';
export type Bilingual = Record<Lang, string>;

/** Every column name of the report's tables, in both languages. */
export const COLUMNS = {
  unit: { vi: 'Mã đơn vị', en: 'Unit' },
  school: { vi: 'Tên trường', en: 'School' },
  district: { vi: 'Quận/Huyện', en: 'District' },
  kind: { vi: 'Loại đơn vị', en: 'Kind' },
  level: { vi: 'Cấp học', en: 'Level' },
  category: { vi: 'Nhóm thiết bị', en: 'Equipment' },
  kits: { vi: 'Số bộ thiết bị', en: 'Kits' },
  units: { vi: 'Số đơn vị', en: 'Units' },
  kitHours: { vi: 'Giờ sử dụng (giờ-bộ)', en: 'Kit-hours used' },
  idleKits: { vi: 'Số bộ không sử dụng', en: 'Idle kits' },
  deviceType: { vi: 'Loại linh kiện', en: 'Component type' },
  devices: { vi: 'Số linh kiện', en: 'Components' },
  hoursUsed: { vi: 'Số giờ sử dụng', en: 'Hours used' },
  sessions: { vi: 'Số buổi sử dụng', en: 'Sessions' },
  sessionsClipped: { vi: 'Số buổi vắt qua đầu/cuối quý', en: 'Sessions crossing the quarter edge' },
  schoolTimeShare: { vi: 'Tỷ lệ thời gian học sử dụng (%)', en: 'Share of school time in use (%)' },
  idleCount: { vi: 'Số thiết bị không sử dụng', en: 'Idle devices' },
  idle: { vi: 'Thiết bị không sử dụng', en: 'Idle equipment' },
  faults: { vi: 'Số sự cố', en: 'Breakdowns' },
  repairs: { vi: 'Số lần sửa chữa', en: 'Repairs' },
  repairMedian: { vi: 'Thời gian sửa chữa trung vị (giờ:phút:giây)', en: 'Median repair time (h:mm:ss)' },
  repairTotal: { vi: 'Tổng thời gian sửa chữa (giờ:phút:giây)', en: 'Total repair time (h:mm:ss)' },
  unrepaired: { vi: 'Chưa sửa xong cuối quý', en: 'Unrepaired at quarter end' },
  dataStatus: { vi: 'Độ đầy đủ dữ liệu', en: 'Data completeness' },
  gateway: { vi: 'Gateway', en: 'Gateway' },
  eventsReceived: { vi: 'Số sự kiện nhận được', en: 'Events received' },
  seqFrom: { vi: 'Số thứ tự từ', en: 'Seq from' },
  seqTo: { vi: 'Số thứ tự đến', en: 'Seq to' },
  seqExpected: { vi: 'Số sự kiện theo dãy số', en: 'Events by seq range' },
  missing: { vi: 'Sự kiện còn thiếu', en: 'Missing events' },
  evicted: { vi: 'Sự kiện bị loại bỏ', en: 'Evicted events' },
  openGaps: { vi: 'Khoảng trống chưa đóng', en: 'Open gaps' },
  uncorrected: { vi: 'Sự kiện chưa hiệu chỉnh giờ', en: 'Events with uncorrected time' },
  lastSeen: { vi: 'Lần cuối kết nối', en: 'Last seen' },
  onlineNow: { vi: 'Đang trực tuyến', en: 'Online now' },
  uptime: { vi: 'Thời gian hoạt động (%)', en: 'Uptime (%)' },
  unknownHours: { vi: 'Thời gian không rõ trạng thái (giờ)', en: 'Unknown time (h)' },
  quarter: { vi: 'Quý', en: 'Quarter' },
  period: { vi: 'Thời kỳ', en: 'Period' },
  generatedAt: { vi: 'Thời điểm lập', en: 'Generated at' },
  deadline: { vi: 'Hạn nộp', en: 'Deadline' },
  schoolHours: { vi: 'Số giờ học trong quý', en: 'School hours in the quarter' },
  completeness: { vi: 'Độ đầy đủ', en: 'Completeness' },
  note: { vi: 'Ghi chú', en: 'Note' },
  definition: { vi: 'Định nghĩa', en: 'Definition' },
} as const satisfies Record<string, Bilingual>;

export type Column = keyof typeof COLUMNS;

export const LABELS = {
  'robot-club': { vi: 'CLB robot STEM', en: 'STEM robot club' },
  'lab-centre': { vi: 'Trung tâm thực hành', en: 'Lab centre' },
  'smart-classroom': { vi: 'Lớp học thông minh', en: 'Smart classroom' },
  primary: { vi: 'Tiểu học', en: 'Primary' },
  'lower-secondary': { vi: 'THCS', en: 'Lower secondary' },
  'upper-secondary': { vi: 'THPT', en: 'Upper secondary' },
  complete: { vi: 'Đầy đủ', en: 'Complete' },
  incomplete: { vi: 'Chưa đầy đủ', en: 'Incomplete' },
  'no-data': { vi: 'Không có dữ liệu', en: 'No data' },
  'not-available': { vi: 'Chưa có', en: 'n/a' },
  yes: { vi: 'Có', en: 'Yes' },
  no: { vi: 'Không', en: 'No' },
  unregistered: { vi: '(chưa đăng ký)', en: '(not registered)' },
  robots: { vi: 'Robot', en: 'Robots' },
  lab: { vi: 'Thiết bị thí nghiệm, thực hành', en: 'Lab equipment' },
  classroom: { vi: 'Thiết bị lớp học thông minh', en: 'Smart-classroom equipment' },
} as const satisfies Record<string, Bilingual>;

/** The kinds of component (the agent's component types), for people. An unknown type is shown as it is. */
export const DEVICE_TYPES: Record<string, Bilingual> = {
  kit: { vi: 'Bộ thiết bị', en: 'Kit' },
  motor: { vi: 'Động cơ', en: 'Motor' },
  servo: { vi: 'Động cơ servo', en: 'Servo' },
  led: { vi: 'Đèn LED', en: 'LED' },
  button: { vi: 'Nút bấm', en: 'Button' },
  piezo: { vi: 'Còi báo (piezo)', en: 'Buzzer (piezo)' },
  relay: { vi: 'Rơ-le', en: 'Relay' },
  proximity: { vi: 'Cảm biến khoảng cách', en: 'Distance sensor' },
  'line-sensors': { vi: 'Cảm biến dò đường', en: 'Line sensors' },
  thermometer: { vi: 'Nhiệt kế', en: 'Thermometer' },
  'analog-sensor': { vi: 'Cảm biến (tương tự)', en: 'Analog sensor' },
};

export const deviceTypeName = (type: string, lang: Lang): string => DEVICE_TYPES[type]?.[lang] ?? type;

export type Label = keyof typeof LABELS;

/**
 * Each figure of the report, defined once in the words a department official uses: printed on
 * the report's cover (CSV, XLSX) and in docs/report-figures.md (a test keeps the two in step).
 */
export const DEFINITIONS: Bilingual[] = [
  {
    en: 'Kit: a robot, or a lab bench, with its components (motors, sensors...). Robots, lab equipment and smart-classroom equipment are reported apart; a kit belongs to the room its gateway serves. A kit named by more than one gateway belongs to one room only, with all its sessions and repairs: the one its gateway in the registry serves, else the one of the gateway that named it first (its earliest usage event or state change before the quarter\'s end; at the same time, the gateway whose id comes first in alphabetical order).',
    vi: 'Bộ thiết bị: một robot, hoặc một bàn thí nghiệm, cùng các linh kiện của nó (động cơ, cảm biến...). Robot, thiết bị thí nghiệm và thiết bị lớp học thông minh được báo cáo riêng; mỗi bộ thuộc phòng mà gateway của nó phục vụ. Một bộ được nhiều gateway ghi nhận chỉ thuộc một phòng, cùng mọi buổi sử dụng và lần sửa chữa của nó: phòng của gateway ghi cho bộ đó trong danh mục, nếu không thì phòng của gateway ghi nhận nó sớm nhất (sự kiện sử dụng hoặc thay đổi trạng thái đầu tiên trước khi hết quý; nếu cùng thời điểm, gateway có mã đứng trước theo thứ tự chữ cái).',
  },
  {
    en: 'In use: a kit is in use while students or a lesson work it: a motor, light, relay or buzzer commanded, a button pressed, or, while the teacher has tagged the kit with a lesson, an experiment or a class, its sensors read. Readings a sensor sends by itself are not use: a lab bench that is switched on but not in an experiment is idle.',
    vi: 'Đang sử dụng: một bộ được tính là đang sử dụng khi học sinh hoặc bài học điều khiển nó: ra lệnh cho động cơ, đèn, rơ-le hay còi, bấm nút, hoặc đọc cảm biến trong lúc giáo viên gắn bộ đó với một bài học, thí nghiệm hay lớp học. Số đo cảm biến tự gửi không phải là sử dụng: bàn thí nghiệm bật nguồn nhưng không có thí nghiệm là không sử dụng.',
  },
  {
    en: 'Session: one kit in use without a pause of more than 1 minute (the gateway setting usage.idleMs). A class period with a robot is one session; a robot left alone for 2 minutes then used again is two. Counted in the quarter it started in.',
    vi: 'Buổi sử dụng: một bộ được sử dụng liên tục, không ngừng quá 1 phút (thiết lập usage.idleMs của gateway). Một tiết học với một robot là một buổi; robot để yên 2 phút rồi dùng lại là hai buổi. Tính vào quý buổi đó bắt đầu.',
  },
  {
    en: 'Kit-hours: the length of the sessions, added over kits: two robots used for one hour are 2 kit-hours. A kit counts once however many of its components ran. Only the part of a session inside the quarter counts.',
    vi: 'Giờ sử dụng (giờ-bộ): tổng thời lượng các buổi sử dụng của các bộ: hai robot dùng trong một giờ là 2 giờ-bộ. Mỗi bộ chỉ tính một lần dù nhiều linh kiện cùng chạy. Chỉ phần của buổi nằm trong quý được tính.',
  },
  {
    en: 'Components: the same figures for each kind of component (motors, sensors...), in their own table. They are parts of the kits above, never added to them.',
    vi: 'Linh kiện: các số liệu tương tự cho từng loại linh kiện (động cơ, cảm biến...), trong bảng riêng. Đây là các phần của các bộ ở trên, không cộng thêm vào số liệu của bộ.',
  },
  {
    en: 'Breakdowns: sessions that ended because the kit failed or was unplugged, counted in the quarter they ended in.',
    vi: 'Sự cố: các buổi sử dụng kết thúc vì bộ thiết bị bị lỗi hoặc bị rút cáp, tính vào quý buổi đó kết thúc.',
  },
  {
    en: "Repair time: from a kit's fault or disconnection to its next connection, in hours, minutes and seconds, counted in the quarter the repair ended in. Unrepaired: kits still out of service at the quarter's end.",
    vi: 'Thời gian sửa chữa: từ khi bộ thiết bị bị lỗi hoặc mất kết nối đến khi kết nối lại, tính bằng giờ, phút, giây, vào quý kết thúc sửa chữa. Chưa sửa xong: số bộ vẫn hỏng vào cuối quý.',
  },
  {
    en: "Idle: kits known to the unit (in the registry, or seen before the quarter's end) with no session in the quarter.",
    vi: 'Không sử dụng: các bộ thiết bị của đơn vị (trong danh mục, hoặc đã ghi nhận trước cuối quý) không có buổi sử dụng nào trong quý.',
  },
  {
    en: 'Share of school time in use: kit time in use within school hours (Monday–Saturday 07:00–17:00, holidays closed), over school hours × kits.',
    vi: 'Tỷ lệ thời gian học sử dụng: thời gian sử dụng trong giờ học (thứ Hai–thứ Bảy 07:00–17:00, trừ ngày nghỉ lễ), chia cho số giờ học × số bộ.',
  },
  {
    en: 'Data completeness: complete when every event the gateway numbered has arrived; a gateway that was online and recorded no use is complete, with zero hours. No data: the gateway was never online in the quarter.',
    vi: 'Độ đầy đủ dữ liệu: đầy đủ khi mọi sự kiện gateway đã đánh số đều đã về; gateway trực tuyến mà không ghi nhận sử dụng là đầy đủ, với 0 giờ. Không có dữ liệu: gateway không trực tuyến lần nào trong quý.',
  },
  {
    en: 'Gateway uptime: share of the quarter online, from the gateway’s first appearance to the report’s time; time with no record (the central was stopped) is given as unknown and counts as not online.',
    vi: 'Thời gian hoạt động của gateway: tỷ lệ thời gian trực tuyến trong quý, từ lần xuất hiện đầu tiên đến lúc lập báo cáo; thời gian không có dữ liệu (máy chủ trung tâm dừng) ghi là không rõ và không tính là trực tuyến.',
  },
];

export interface CompletenessCounts {
  units: number;
  complete: number;
  noData: number;
  gatewaysWithOpenGaps: number;
  gatewaysWithEvictions: number;
}

/** The completeness line of the report's cover. */
export function completenessSummary(c: CompletenessCounts): Bilingual {
  const en = [`data complete for ${c.complete} of ${c.units} units`];
  const vi = [`dữ liệu đầy đủ cho ${c.complete}/${c.units} đơn vị`];
  en.push(`${c.gatewaysWithOpenGaps} gateway${c.gatewaysWithOpenGaps === 1 ? ' has' : 's have'} open gaps`);
  vi.push(`${c.gatewaysWithOpenGaps} gateway có khoảng trống chưa đóng`);
  if (c.gatewaysWithEvictions > 0) {
    en.push(`${c.gatewaysWithEvictions} gateway${c.gatewaysWithEvictions === 1 ? '' : 's'} reported evicted events`);
    vi.push(`${c.gatewaysWithEvictions} gateway báo đã loại bỏ sự kiện`);
  }
  if (c.noData > 0) {
    en.push(`${c.noData} unit${c.noData === 1 ? '' : 's'} sent no data`);
    vi.push(`${c.noData} đơn vị không gửi dữ liệu`);
  }
  return { vi: vi.join('; '), en: en.join('; ') };
}
