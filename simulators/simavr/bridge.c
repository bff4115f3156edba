/*
 * simavr bridge: runs a real AVR firmware (.hex) on simavr as an Arduino Uno
 * (atmega328p) or Mega 2560 (atmega2560) at 16 MHz, with UART0 on a
 * pseudo-terminal (simavr's uart_pty part) and a line protocol on stdio.
 *
 *   usage: bridge <uno|mega> <firmware.hex> [--fast] [--link PATH]
 *
 *   --fast       run as fast as the host allows (default: paced to real time)
 *   --link PATH  also create a symlink PATH -> the pty slave (per bridge; the
 *                fixed /tmp/simavr-uart0 link of uart_pty is never created)
 *
 * stdout, one event per line (simavr's own chatter goes to stderr; readers
 * should still ignore lines they do not know):
 *   pty /dev/pts/N           once, when the serial port exists
 *   pin <arduino pin> <0|1>  an output level changed (PORT & DDR)
 *   pwm <arduino pin> <0-255> the pin's PWM compare register (OCRnx, low
 *                            byte) was written with a new value (analogWrite)
 *   reset                    the chip was reset
 *   stats <cycles> <sim_ms> <wall_ms>
 *   err <message>
 *
 * stdin commands, one per line:
 *   adc <channel> <millivolts>   voltage on an analog input (AVCC = 5000 mV)
 *   pin <arduino pin> <0|1>      drive an input pin from outside
 *   reset                        reset the chip (a pty has no DTR)
 *   stats                        print cycle counter / simulated / wall time
 *   quit                         exit (EOF on stdin exits too)
 *
 * Exit is always through _exit(): uart_pty_stop() hangs on its thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sim_avr.h"
#include "sim_hex.h"
#include "sim_io.h"
#include "sim_irq.h"
#include "sim_time.h"
#include "avr_adc.h"
#include "avr_ioport.h"
#include "avr_timer.h"
#include "avr_uart.h"
#include "uart_pty.h"

#define FREQ 16000000UL

/* ---------------------------------------------------------------------------
 * uart_pty_connect() unlinks and re-creates the fixed /tmp/simavr-uart<N>
 * symlink: parallel bridges would clobber each other's link (and a developer's
 * own simavr session). uart_pty.o is linked statically from libsimavrparts.a,
 * so these definitions win over libc's: the fixed link is never touched, and
 * the pty name is taken from the uart_pty struct instead.
 */
static const char *link_path; /* optional --link PATH */
static int is_fixed_link(const char *p) {
	return p && strncmp(p, "/tmp/simavr-uart", 16) == 0;
}
int unlink(const char *path) {
	if (is_fixed_link(path)) return 0;
	return (int)syscall(SYS_unlink, path);
}
int symlink(const char *target, const char *linkpath) {
	if (is_fixed_link(linkpath)) return 0;
	return (int)syscall(SYS_symlink, target, linkpath);
}

/* every exit goes through here: remove our own --link, never run atexit
 * handlers (uart_pty_stop() would hang) */
static void leave(int code) {
	if (link_path) syscall(SYS_unlink, link_path);
	_exit(code);
}
static void on_signal(int sig) {
	leave(128 + sig);
}

/* ------------------------------------------------------------------------ */

typedef struct { char port; int bit; } pinmap_t;

/* Arduino pin -> AVR port/bit */
static const pinmap_t uno_pins[] = {
	{'D',0},{'D',1},{'D',2},{'D',3},{'D',4},{'D',5},{'D',6},{'D',7},
	{'B',0},{'B',1},{'B',2},{'B',3},{'B',4},{'B',5},
	{'C',0},{'C',1},{'C',2},{'C',3},{'C',4},{'C',5},
};
static const pinmap_t mega_pins[] = {
	{'E',0},{'E',1},{'E',4},{'E',5},{'G',5},{'E',3},{'H',3},{'H',4}, /* 0-7 */
	{'H',5},{'H',6},{'B',4},{'B',5},{'B',6},{'B',7},                 /* 8-13 */
	{'J',1},{'J',0},{'H',1},{'H',0},{'D',3},{'D',2},{'D',1},{'D',0}, /* 14-21 */
	{'A',0},{'A',1},{'A',2},{'A',3},{'A',4},{'A',5},{'A',6},{'A',7}, /* 22-29 */
	{'C',7},{'C',6},{'C',5},{'C',4},{'C',3},{'C',2},{'C',1},{'C',0}, /* 30-37 */
	{'D',7},{'G',2},{'G',1},{'G',0},                                 /* 38-41 */
	{'L',7},{'L',6},{'L',5},{'L',4},{'L',3},{'L',2},{'L',1},{'L',0}, /* 42-49 */
	{'B',3},{'B',2},{'B',1},{'B',0},                                 /* 50-53 */
	{'F',0},{'F',1},{'F',2},{'F',3},{'F',4},{'F',5},{'F',6},{'F',7}, /* 54-61 A0-A7 */
	{'K',0},{'K',1},{'K',2},{'K',3},{'K',4},{'K',5},{'K',6},{'K',7}, /* 62-69 A8-A15 */
};

/* PWM: the output compare register (low byte) of each Arduino PWM pin.
 * simavr 1.6 only raises its timer PWM IRQs for fast-PWM timers (timer0),
 * not for the phase-correct ones Arduino uses elsewhere, so the bridge
 * watches the firmware's writes to the OCRnx registers instead. */
typedef struct { uint16_t addr; int pin; } pwmmap_t;
static const pwmmap_t uno_pwm[] = {
	{0x47, 6}, {0x48, 5},            /* OCR0A, OCR0B */
	{0x88, 9}, {0x8A, 10},           /* OCR1AL, OCR1BL */
	{0xB3, 11}, {0xB4, 3},           /* OCR2A, OCR2B */
};
static const pwmmap_t mega_pwm[] = {
	{0x47, 13}, {0x48, 4},                   /* OCR0A, OCR0B */
	{0x88, 11}, {0x8A, 12}, {0x8C, 13},      /* OCR1AL, OCR1BL, OCR1CL */
	{0xB3, 10}, {0xB4, 9},                   /* OCR2A, OCR2B */
	{0x98, 5}, {0x9A, 2}, {0x9C, 3},         /* OCR3AL, OCR3BL, OCR3CL */
	{0xA8, 6}, {0xAA, 7}, {0xAC, 8},         /* OCR4AL, OCR4BL, OCR4CL */
	{0x128, 46}, {0x12A, 45}, {0x12C, 44},   /* OCR5AL, OCR5BL, OCR5CL */
};

static avr_t *avr;
static const pinmap_t *pins;
static int npins;
static int nadc;
static int port_pin[26][8];        /* port letter, bit -> arduino pin or -1 */
static uint8_t shadow_port[26], shadow_ddr[26];
static uint8_t reported[26];       /* last reported output level per port */
static int pwm_last[128];
static uart_pty_t uart_pty;

static int realtime = 1;
static avr_cycle_count_t cycle0;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static uint64_t now_us(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000ULL + (uint64_t)t.tv_nsec / 1000ULL;
}
static uint64_t wall0_us;

static void rebase_clock(void) {
	wall0_us = now_us();
	cycle0 = avr->cycle;
}

static void report_port(int pi) {
	uint8_t level = shadow_port[pi] & shadow_ddr[pi];
	uint8_t diff = level ^ reported[pi];
	if (!diff) return;
	for (int b = 0; b < 8; b++) {
		if (!(diff & (1 << b))) continue;
		int ap = port_pin[pi][b];
		if (ap >= 0) out("pin %d %d\n", ap, (level >> b) & 1);
	}
	reported[pi] = level;
}

static void port_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	int pi = (int)(intptr_t)param;
	shadow_port[pi] = (uint8_t)value;
	report_port(pi);
}
static void ddr_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	int pi = (int)(intptr_t)param;
	shadow_ddr[pi] = (uint8_t)value;
	report_port(pi);
}
static void pwm_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	int ap = (int)(intptr_t)param;
	if (ap < 0 || ap >= 128) return;
	if (pwm_last[ap] == (int)value) return;
	pwm_last[ap] = (int)value;
	out("pwm %d %u\n", ap, value);
}

static void resync_ports(void) {
	for (int pi = 0; pi < 26; pi++) {
		avr_ioport_state_t st;
		if (avr_ioctl(avr, AVR_IOCTL_IOPORT_GETSTATE('A' + pi), &st) == 0) {
			shadow_port[pi] = st.port;
			shadow_ddr[pi] = st.ddr;
			report_port(pi);
		}
	}
}

/* ---- commands from stdin (read by a thread, executed by the sim loop) ---- */

#define QLEN 64
static char queue[QLEN][128];
static int q_head, q_tail;
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int q_pending;

static void *stdin_thread(void *arg) {
	(void)arg;
	char line[128];
	for (;;) {
		int eof = !fgets(line, sizeof(line), stdin);
		if (eof) strcpy(line, "quit\n"); /* parent went away: no orphan simulators */
		pthread_mutex_lock(&q_lock);
		int next = (q_tail + 1) % QLEN;
		if (next != q_head) {
			memcpy(queue[q_tail], line, sizeof(line));
			q_tail = next;
		}
		pthread_mutex_unlock(&q_lock);
		atomic_store(&q_pending, 1);
		if (eof || strncmp(line, "quit", 4) == 0) {
			sleep(1); /* the sim loop exits first, after the queued commands */
			leave(0);
		}
	}
	return NULL;
}

static void run_command(const char *line) {
	int a, b;
	if (sscanf(line, "adc %d %d", &a, &b) == 2) {
		if (a < 0 || a >= nadc) { out("err adc channel %d out of range (0-%d)\n", a, nadc - 1); return; }
		if (b < 0) b = 0;
		if (b > 5000) b = 5000;
		avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + a), (uint32_t)b);
	} else if (sscanf(line, "pin %d %d", &a, &b) == 2) {
		if (a < 0 || a >= npins) { out("err pin %d out of range\n", a); return; }
		avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(pins[a].port), pins[a].bit);
		if (irq) avr_raise_irq(irq, b ? 1 : 0);
	} else if (strncmp(line, "quit", 4) == 0) {
		fflush(stdout);
		leave(0);
	} else if (strncmp(line, "reset", 5) == 0) {
		avr_reset(avr);
		resync_ports();
		rebase_clock();
		out("reset\n");
	} else if (strncmp(line, "stats", 5) == 0) {
		out("stats %llu %.1f %.1f\n", (unsigned long long)avr->cycle,
			(double)(avr->cycle - cycle0) / (FREQ / 1000), (double)(now_us() - wall0_us) / 1000.0);
	} else if (line[0] != '\n' && line[0] != 0) {
		out("err unknown command\n");
	}
}

static void drain_commands(void) {
	atomic_store(&q_pending, 0);
	for (;;) {
		char line[128];
		pthread_mutex_lock(&q_lock);
		if (q_head == q_tail) { pthread_mutex_unlock(&q_lock); break; }
		memcpy(line, queue[q_head], sizeof(line));
		q_head = (q_head + 1) % QLEN;
		pthread_mutex_unlock(&q_lock);
		run_command(line);
	}
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *board = NULL, *hex = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fast")) realtime = 0;
		else if (!strcmp(argv[i], "--link") && i + 1 < argc) link_path = argv[++i];
		else if (!board) board = argv[i];
		else if (!hex) hex = argv[i];
	}
	if (!board || !hex) {
		fprintf(stderr, "usage: %s <uno|mega> <firmware.hex> [--fast] [--link PATH]\n", argv[0]);
		return 2;
	}
	const char *mcu;
	const pwmmap_t *pwm;
	int npwm;
	if (!strcmp(board, "uno") || !strcmp(board, "atmega328p")) {
		mcu = "atmega328p"; pins = uno_pins; npins = 20; pwm = uno_pwm; npwm = 6; nadc = 6;
	} else if (!strcmp(board, "mega") || !strcmp(board, "atmega2560")) {
		/* simavr 1.6 keeps 8 ADC input values: A8-A15 are not settable */
		mcu = "atmega2560"; pins = mega_pins; npins = 70; pwm = mega_pwm; npwm = 16; nadc = 8;
	} else {
		fprintf(stderr, "unknown board %s (uno|mega)\n", board);
		return 2;
	}

	uint32_t size = 0, start = 0;
	uint8_t *code = read_ihex_file(hex, &size, &start);
	if (!code) {
		fprintf(stderr, "cannot read firmware %s\n", hex);
		return 1;
	}
	avr = avr_make_mcu_by_name(mcu);
	if (!avr) {
		fprintf(stderr, "simavr has no core %s\n", mcu);
		return 1;
	}
	avr_init(avr);
	avr->frequency = FREQ;
	avr->vcc = avr->avcc = avr->aref = 5000;
	if (start + size > avr->flashend + 1) {
		fprintf(stderr, "firmware too large for %s\n", mcu);
		return 1;
	}
	memcpy(avr->flash + start, code, size);
	free(code);
	avr->pc = start;
	avr->codeend = avr->flashend;

	/* pin reporting */
	for (int pi = 0; pi < 26; pi++)
		for (int b = 0; b < 8; b++) port_pin[pi][b] = -1;
	for (int i = 0; i < npins; i++) port_pin[pins[i].port - 'A'][pins[i].bit] = i;
	for (int pi = 0; pi < 26; pi++) {
		avr_irq_t *p = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('A' + pi), IOPORT_IRQ_REG_PORT);
		avr_irq_t *d = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('A' + pi), IOPORT_IRQ_DIRECTION_ALL);
		if (p) avr_irq_register_notify(p, port_hook, (void *)(intptr_t)pi);
		if (d) avr_irq_register_notify(d, ddr_hook, (void *)(intptr_t)pi);
	}
	for (int i = 0; i < npwm; i++) {
		avr_irq_t *irq = avr_iomem_getirq(avr, pwm[i].addr, NULL, AVR_IOMEM_IRQ_ALL);
		if (irq) avr_irq_register_notify(irq, pwm_hook, (void *)(intptr_t)pwm[i].pin);
	}

	/* analog inputs start at 0 V */
	for (int ch = 0; ch < nadc; ch++)
		avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + ch), 0);

	/* UART0 <-> pty. uart_pty prints its own chatter on stdout: send that to
	 * stderr so stdout carries only this bridge's protocol lines. */
	fflush(stdout);
	int saved_stdout = dup(STDOUT_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	uart_pty_init(avr, &uart_pty);
	uart_pty_connect(&uart_pty, '0');
	fflush(stdout);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	if (!uart_pty.pty.slavename[0]) {
		fprintf(stderr, "uart_pty could not create a pty\n");
		_exit(1);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (link_path) {
		syscall(SYS_unlink, link_path);
		if (syscall(SYS_symlink, uart_pty.pty.slavename, link_path) != 0)
			fprintf(stderr, "cannot create link %s: %s\n", link_path, strerror(errno));
	}
	out("pty %s\n", uart_pty.pty.slavename);

	pthread_t th;
	pthread_create(&th, NULL, stdin_thread, NULL);

	rebase_clock();
	avr_cycle_count_t next_pace = avr->cycle + FREQ / 1000;
	for (;;) {
		int state = avr_run(avr);
		if (state == cpu_Done || state == cpu_Crashed) {
			out("err cpu %s\n", state == cpu_Done ? "done" : "crashed");
			break;
		}
		if (atomic_load_explicit(&q_pending, memory_order_relaxed)) drain_commands();
		if (avr->cycle >= next_pace) {
			next_pace = avr->cycle + FREQ / 1000; /* check every simulated ms */
			if (realtime) {
				uint64_t sim_us = (avr->cycle - cycle0) / (FREQ / 1000000);
				uint64_t wall_us = now_us() - wall0_us;
				if (sim_us > wall_us + 2000) {
					usleep((useconds_t)(sim_us - wall_us));
				} else if (wall_us > sim_us + 200000) {
					/* host too slow: do not try to catch up in a burst */
					wall0_us = now_us() - sim_us;
				}
			}
		}
	}
	leave(1);
}
