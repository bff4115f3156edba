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
  deviceType: { vi: 'Loại thiết bị', en: 'Equipment type' },
  devices: { vi: 'Số thiết bị', en: 'Devices' },
  hoursUsed: { vi: 'Số giờ sử dụng', en: 'Hours used' },
  sessions: { vi: 'Số phiên', en: 'Sessions' },
  sessionsClipped: { vi: 'Số phiên vắt qua đầu/cuối quý', en: 'Sessions crossing the quarter edge' },
  schoolTimeShare: { vi: 'Tỷ lệ thời gian học sử dụng (%)', en: 'Share of school time in use (%)' },
  idleCount: { vi: 'Số thiết bị không sử dụng', en: 'Idle devices' },
  idle: { vi: 'Thiết bị không sử dụng', en: 'Idle equipment' },
  faults: { vi: 'Số lỗi', en: 'Faults' },
  repairs: { vi: 'Số lần sửa chữa', en: 'Repairs' },
  repairHoursMedian: { vi: 'Thời gian sửa chữa trung vị (giờ)', en: 'Median repair time (h)' },
  repairHoursTotal: { vi: 'Tổng thời gian sửa chữa (giờ)', en: 'Total repair time (h)' },
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
} as const satisfies Record<string, Bilingual>;

export type Label = keyof typeof LABELS;

export const NOTES: Bilingual[] = [
  {
    en: 'Hours are clipped to the quarter; sessions are counted in the quarter they started in; faults in the quarter their session ended in.',
    vi: 'Số giờ được cắt theo quý; số phiên tính vào quý phiên bắt đầu; số lỗi tính vào quý phiên kết thúc.',
  },
  {
    en: "Repair time: from a kit's fault or disconnection to its next connection, counted in the quarter the repair ended in, for every kind of equipment the kit holds.",
    vi: 'Thời gian sửa chữa: từ khi bộ kit bị lỗi hoặc mất kết nối đến khi kết nối lại, tính vào quý kết thúc sửa chữa, cho mọi loại thiết bị của bộ kit.',
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
