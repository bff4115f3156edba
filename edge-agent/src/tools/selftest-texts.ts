/**
 * What the self-test says about a kit or component, in English (the CLI, logs) and Vietnamese
 * (the room console's technician): one place for both, so they cannot drift apart.
 */
import type { KitState } from '../core/events.ts';

export interface Said {
  detail: string;
  detailVi: string;
}

const say = (detail: string, detailVi: string): Said => ({ detail, detailVi });
const onOff = (on: boolean): Said => say(on ? 'on' : 'off', on ? 'bật' : 'tắt');
const KIT_STATES: Record<KitState, string> = { connecting: 'đang kết nối', connected: 'đã kết nối', disconnected: 'mất kết nối', fault: 'lỗi', stopped: 'đã dừng' };

export const selftestTexts = {
  same: (text: string) => say(text, text),
  kitDown: (state: KitState, reason: string | undefined) => say(`${state}: ${reason ?? 'no reason given'}`, `${KIT_STATES[state]}: ${reason ?? 'không rõ lý do'}`),
  kitUp: (path: string | undefined) => say(`connected on ${path}`, `đã kết nối qua ${path}`),
  kitNotConnected: () => say('kit not connected', 'bộ kit chưa kết nối'),
  noReading(ms: number, pins: readonly (string | number)[], analogStill: boolean, ping: boolean) {
    const en = `no reading within ${ms} ms${analogStill ? ' (a reading stuck near 0 is not reported)' : ''}: check the wiring on ${pinsEn(pins)}${ping ? '; the board must run PingFirmata' : ''}`;
    const vi = `không có số đo trong ${ms} ms${analogStill ? ' (số đo nằm yên gần 0 không được báo)' : ''}: kiểm tra dây nối ở ${pinsVi(pins)}${ping ? '; bo mạch phải chạy PingFirmata' : ''}`;
    return say(en, vi);
  },
  raw: (raw: number, value: number | undefined) => say(`raw ${raw}${value !== undefined ? ` (${value})` : ''}`, `giá trị thô ${raw}${value !== undefined ? ` (${value})` : ''}`),
  rawOutside: (raw: number) => say(`raw ${raw} is outside 0..1023`, `giá trị thô ${raw} nằm ngoài 0..1023`),
  linesOutside: (values: number[]) => say(`[${values.join(', ')}] has values outside 0..1023`, `[${values.join(', ')}] có giá trị nằm ngoài 0..1023`),
  implausibleTemperature: (celsius: number, pins: readonly (string | number)[], controller: string) =>
    say(
      `${celsius} °C is not a plausible room temperature (-20..80 °C): check the wiring on ${pinsEn(pins)} and controller: ${controller}`,
      `${celsius} °C không phải nhiệt độ phòng hợp lý (-20..80 °C): kiểm tra dây nối ở ${pinsVi(pins)} và controller: ${controller}`,
    ),
  noEcho: (pins: readonly (string | number)[]) =>
    say(
      `no echo: nothing within range, or TRIG/ECHO not wired to ${pinsEn(pins)}; hold a hand 20 cm in front and run again`,
      `không có tiếng vọng: không có vật trong tầm, hoặc TRIG/ECHO chưa nối vào ${pinsVi(pins)}; đưa tay cách 20 cm phía trước rồi chạy lại`,
    ),
  button: (held: boolean, pressed: boolean) => (held ? say('held', 'đang giữ') : pressed ? say('pressed', 'đang nhấn') : say('released', 'đang nhả')),
  estopSkipped: (during: boolean) => (during ? say('skipped: e-stop latched during the test', 'bỏ qua: dừng khẩn cấp đã chốt trong lúc kiểm tra') : say('skipped: e-stop latched', 'bỏ qua: dừng khẩn cấp đang chốt')),
  ledPulsed: (ms: number, backOn: boolean) => say(`on for ${ms} ms, then back ${onOff(backOn).detail}`, `bật ${ms} ms, rồi trở lại ${onOff(backOn).detailVi}`),
  motorBusy: () => say('running (driven by a lesson); not interrupted', 'đang chạy (do bài học điều khiển); không ngắt'),
  motorForbidden: () => say('limits.maxMotorSpeed is 0: this kit may not drive motors', 'limits.maxMotorSpeed bằng 0: bộ kit này không được chạy động cơ'),
  motorPulsed: (speed: string, ms: number) => say(`forward at ${speed}/255 for ${ms} ms, then stopped`, `chạy tiến ở ${speed}/255 trong ${ms} ms, rồi dừng`),
  servoCentred: (angle: string) => say(`moved to its center, ${angle}° (it had no angle yet)`, `quay về giữa, ${angle}° (trước đó chưa có góc)`),
  servoHeld: (angle: number) => say(`held at ${angle}°`, `giữ ở ${angle}°`),
  relayPulsed: (wasOn: boolean, ms: number) =>
    say(`switched ${onOff(!wasOn).detail} for ${ms} ms, then back ${onOff(wasOn).detail}`, `chuyển sang ${onOff(!wasOn).detailVi} trong ${ms} ms, rồi trở lại ${onOff(wasOn).detailVi}`),
  piezoBusy: () => say('playing; not interrupted', 'đang phát; không ngắt'),
  tone: (hz: number, ms: number) => say(`${hz} Hz for ${ms} ms`, `${hz} Hz trong ${ms} ms`),
  notActuator: () => say('not an actuator', 'không phải cơ cấu chấp hành'),
};

function pinsEn(pins: readonly (string | number)[]): string {
  return `${pins.length === 1 ? 'pin' : 'pins'} ${pins.join(', ')}`;
}

function pinsVi(pins: readonly (string | number)[]): string {
  return `chân ${pins.join(', ')}`;
}
