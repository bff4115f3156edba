/**
 * The objectives the lessons serve, in the words of the general education programme's strands
 * (Chương trình giáo dục phổ thông 2018): Informatics (Tin học: solving problems with the
 * help of a computer — sequence, branching, repetition, variables, testing a program) and
 * Technology (Công nghệ: electrical and electronic control circuits, sensors and actuators,
 * automation systems, design and the engineering process).
 */
import type { z } from 'zod';
import type { objective } from '../schema.ts';
import { t } from './define.ts';

type Objective = z.input<typeof objective>;
const informatics = (vi: string, en: string): Objective => ({ strand: 'informatics', text: t(vi, en) });
const technology = (vi: string, en: string): Objective => ({ strand: 'technology', text: t(vi, en) });

export const o = {
  sequence: informatics('Viết chương trình có cấu trúc tuần tự và lặp để điều khiển thiết bị.', 'Write a program with sequence and repetition that controls a device.'),
  branch: informatics('Dùng cấu trúc rẽ nhánh (nếu… thì…) theo dữ liệu từ cảm biến.', 'Use branching (if… then…) on data from a sensor.'),
  variables: informatics('Dùng biến để lưu trạng thái và đếm.', 'Use variables to keep a state and to count.'),
  testing: informatics('Kiểm thử chương trình, tìm và sửa lỗi từ kết quả chạy.', 'Test a program, find and fix errors from what it does.'),
  algorithm: informatics('Mô tả thuật toán giải một bài toán thực tế và lập trình nó.', 'Describe an algorithm for a real problem and program it.'),
  control: informatics('Lập trình điều khiển phản hồi: đo sai lệch, hiệu chỉnh tỉ lệ (P).', 'Program feedback control: measure the error, correct in proportion (P).'),
  outputs: technology('Điều khiển cơ cấu chấp hành (đèn, còi, động cơ, servo) bằng vi điều khiển.', 'Drive actuators (LEDs, buzzer, motors, servo) from a microcontroller.'),
  sensors: technology('Đọc cảm biến (nút nhấn, siêu âm, dò vạch, nhiệt độ) và hiểu ngưỡng.', 'Read sensors (button, ultrasonic, line, temperature) and understand thresholds.'),
  motion: technology('Hiểu truyền động robot hai bánh: tốc độ, chiều quay, rẽ tại chỗ.', 'Understand a two-wheeled robot’s drive: speed, direction, turning on the spot.'),
  automation: technology('Thiết kế một hệ thống tự động hoá đơn giản trong đời sống.', 'Design a simple automation system from everyday life.'),
  design: technology('Thực hiện quy trình thiết kế kĩ thuật: yêu cầu, thử nghiệm, cải tiến.', 'Follow the engineering design process: requirements, tests, improvements.'),
};
