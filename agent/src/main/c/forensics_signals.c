/*
 * forensics_signals.c: who sent SIGTERM, SIGHUP or SIGINT to this JVM.
 *
 * The JVM's own handler learns only the signal number; the kernel also tells a SA_SIGINFO handler the sender's
 * pid, uid and si_code. This handler records those, reads what /proc still says about the sender and its parent
 * (senders often exit within microseconds, so pid/uid/code are the facts and the rest is best effort), and then
 * hands the signal to the handler it replaced, normally the JVM's, so the JVM behaves exactly as without us.
 *
 * Everything in the handler is async-signal-safe: open/read/close, clock_gettime, sigaction, raise and atomics.
 * No malloc, no stdio, no locks. Records live in static slots guarded by sequence counters, so a reader on a Java
 * thread never sees a half-written record even while a burst of signals keeps arriving.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIGNAL 65
#define SLOTS 16
#define COMM_MAX 64
#define CMD_MAX 512

/* Field order of the long[] handed to Java; NativeSignals.java mirrors it. */
enum {
    F_INDEX, F_SIGNO, F_CODE, F_PID, F_UID, F_TID, F_PPID, F_REAL_NS, F_MONO_NS, F_COUNT,
    F_COMM_LEN, F_CMD_LEN, F_PARENT_COMM_LEN, F_PARENT_CMD_LEN, F_FIELDS
};

/* Offsets in the byte[] handed to Java. */
#define T_COMM 0
#define T_CMD (T_COMM + COMM_MAX)
#define T_PARENT_COMM (T_CMD + CMD_MAX)
#define T_PARENT_CMD (T_PARENT_COMM + COMM_MAX)
#define T_SIZE (T_PARENT_CMD + CMD_MAX)

typedef struct {
    unsigned int seq; /* odd while the handler writes the record */
    long long index;  /* 1-based delivery number across all signals */
    int signo, code, pid, uid, tid, ppid;
    long long real_ns, mono_ns;
    int comm_len, cmd_len, parent_comm_len, parent_cmd_len;
    char comm[COMM_MAX];
    char cmd[CMD_MAX];
    char parent_comm[COMM_MAX];
    char parent_cmd[CMD_MAX];
} record_t;

static record_t slots[SLOTS];             /* the latest deliveries, round robin */
static record_t firsts[MAX_SIGNAL];       /* the first delivery of each signal, never overwritten */
static int first_claimed[MAX_SIGNAL];
static long long deliveries;              /* all signals */
static long long per_signal[MAX_SIGNAL];

/* The handler we replaced, per signal. Two copies so a re-install never rewrites the copy a running handler reads. */
static struct sigaction previous[2][MAX_SIGNAL];
static int previous_index[MAX_SIGNAL];

static void on_signal(int signo, siginfo_t *info, void *context);

/* ---- async-signal-safe helpers ---- */

static int put_int(char *out, long value) {
    char digits[24];
    int n = 0, len = 0;
    if (value < 0) {
        out[len++] = '-';
        value = -value;
    }
    do {
        digits[n++] = (char) ('0' + value % 10);
        value /= 10;
    } while (value > 0 && n < (int) sizeof digits);
    while (n > 0) {
        out[len++] = digits[--n];
    }
    return len;
}

/* "/proc/<pid>/<leaf>" into path. */
static void proc_path(char *path, int pid, const char *leaf) {
    int len = 0;
    memcpy(path, "/proc/", 6);
    len = 6;
    len += put_int(path + len, pid);
    path[len++] = '/';
    while (*leaf) {
        path[len++] = *leaf++;
    }
    path[len] = '\0';
}

/* Reads up to cap bytes of a small /proc file; returns the length, 0 when it is gone. */
static int read_file(const char *path, char *buf, int cap) {
    int fd, total = 0;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return 0;
    }
    while (total < cap) {
        ssize_t n = read(fd, buf + total, (size_t) (cap - total));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        total += (int) n;
    }
    close(fd);
    return total;
}

/* comm and ppid from /proc/<pid>/stat: "pid (comm) state ppid ...". comm may hold spaces and ')', so parse after the LAST ')'. */
static void read_stat(int pid, char *comm, int *comm_len, int *ppid) {
    char path[48], buf[512];
    int len, open_paren = -1, close_paren = -1, i;
    *comm_len = 0;
    *ppid = 0;
    proc_path(path, pid, "stat");
    len = read_file(path, buf, (int) sizeof buf);
    for (i = 0; i < len; i++) {
        if (buf[i] == '(' && open_paren < 0) {
            open_paren = i;
        } else if (buf[i] == ')') {
            close_paren = i;
        }
    }
    if (open_paren < 0 || close_paren <= open_paren) {
        return;
    }
    *comm_len = close_paren - open_paren - 1;
    if (*comm_len > COMM_MAX) {
        *comm_len = COMM_MAX;
    }
    memcpy(comm, buf + open_paren + 1, (size_t) *comm_len);
    /* ") S 1234 ..." */
    i = close_paren + 1;
    while (i < len && buf[i] == ' ') i++;
    while (i < len && buf[i] != ' ') i++; /* state */
    while (i < len && buf[i] == ' ') i++;
    {
        int value = 0;
        while (i < len && buf[i] >= '0' && buf[i] <= '9') {
            value = value * 10 + (buf[i] - '0');
            i++;
        }
        *ppid = value;
    }
}

static void fill(record_t *r, int signo, const siginfo_t *info, long long index) {
    struct timespec ts;
    char path[48];
    __atomic_add_fetch(&r->seq, 1, __ATOMIC_ACQ_REL); /* odd: being written */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    r->index = index;
    r->signo = signo;
    r->code = info != NULL ? info->si_code : 0;
    r->pid = info != NULL ? (int) info->si_pid : 0;
    r->uid = info != NULL ? (int) info->si_uid : -1;
    r->tid = (int) syscall(SYS_gettid);
    clock_gettime(CLOCK_REALTIME, &ts);
    r->real_ns = (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    r->mono_ns = (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
    r->comm_len = r->cmd_len = r->parent_comm_len = r->parent_cmd_len = 0;
    r->ppid = 0;
    if (r->pid > 0) {
        proc_path(path, r->pid, "cmdline");
        r->cmd_len = read_file(path, r->cmd, CMD_MAX);
        read_stat(r->pid, r->comm, &r->comm_len, &r->ppid);
        if (r->ppid > 0) {
            int grandparent;
            proc_path(path, r->ppid, "cmdline");
            r->parent_cmd_len = read_file(path, r->parent_cmd, CMD_MAX);
            read_stat(r->ppid, r->parent_comm, &r->parent_comm_len, &grandparent);
        }
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_add_fetch(&r->seq, 1, __ATOMIC_ACQ_REL); /* even: complete */
}

/* Copies a record this thread just wrote into another slot, under the target's sequence counter. */
static void copy_record(record_t *to, const record_t *from) {
    const size_t start = offsetof(record_t, index); /* everything but the sequence counter */
    __atomic_add_fetch(&to->seq, 1, __ATOMIC_ACQ_REL);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    memcpy((char *) to + start, (const char *) from + start, sizeof *to - start);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_add_fetch(&to->seq, 1, __ATOMIC_ACQ_REL);
}

static int is_ours(const struct sigaction *sa) {
    return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == on_signal;
}

static void on_signal(int signo, siginfo_t *info, void *context) {
    int saved_errno = errno;
    if (signo > 0 && signo < MAX_SIGNAL) {
        long long index = __atomic_add_fetch(&deliveries, 1, __ATOMIC_ACQ_REL);
        int expected = 0;
        __atomic_add_fetch(&per_signal[signo], 1, __ATOMIC_ACQ_REL);
        record_t *slot = &slots[index % SLOTS];
        fill(slot, signo, info, index);
        if (__atomic_compare_exchange_n(&first_claimed[signo], &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            copy_record(&firsts[signo], slot); /* the same facts, without reading /proc twice */
        }

        /* Hand over to whoever we replaced, normally the JVM's handler, which starts the Java shutdown. */
        {
            const struct sigaction *prev = &previous[__atomic_load_n(&previous_index[signo], __ATOMIC_ACQUIRE)][signo];
            errno = saved_errno;
            if (prev->sa_flags & SA_SIGINFO) {
                if (prev->sa_sigaction != NULL && prev->sa_sigaction != on_signal) {
                    prev->sa_sigaction(signo, info, context);
                }
            } else if (prev->sa_handler == SIG_DFL) {
                /* The default action (terminate): restore it and re-raise; it is delivered when we return. */
                struct sigaction dfl;
                memset(&dfl, 0, sizeof dfl);
                dfl.sa_handler = SIG_DFL;
                sigemptyset(&dfl.sa_mask);
                sigaction(signo, &dfl, NULL);
                raise(signo);
            } else if (prev->sa_handler != SIG_IGN) {
                prev->sa_handler(signo);
            }
        }
    }
    errno = saved_errno;
}

/* ---- JNI ---- */

#define STATE_INSTALLED 0
#define STATE_IGNORED 1
#define STATE_ALREADY 2
#define STATE_FAILED 3

/* Installs the handler over the current one unless the signal is ignored (nohup: it stays ignored). */
JNIEXPORT jint JNICALL Java_dev_forensics_termination_NativeSignals_install0(JNIEnv *env, jclass cls, jint signo) {
    struct sigaction current, ours;
    int next;
    (void) env;
    (void) cls;
    if (signo <= 0 || signo >= MAX_SIGNAL || sigaction(signo, NULL, &current) != 0) {
        return STATE_FAILED;
    }
    if (is_ours(&current)) {
        return STATE_ALREADY;
    }
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) {
        return STATE_IGNORED;
    }
    next = 1 - __atomic_load_n(&previous_index[signo], __ATOMIC_ACQUIRE);
    previous[next][signo] = current;
    __atomic_store_n(&previous_index[signo], next, __ATOMIC_RELEASE);
    memset(&ours, 0, sizeof ours);
    ours.sa_sigaction = on_signal;
    ours.sa_mask = current.sa_mask;
    ours.sa_flags = SA_SIGINFO | SA_RESTART | (current.sa_flags & SA_ONSTACK);
    return sigaction(signo, &ours, NULL) == 0 ? STATE_INSTALLED : STATE_FAILED;
}

/* Puts back the handler we replaced, so a caller that inspects or replaces it (the JVM) sees its own. */
JNIEXPORT jboolean JNICALL Java_dev_forensics_termination_NativeSignals_uninstall0(JNIEnv *env, jclass cls, jint signo) {
    struct sigaction current;
    (void) env;
    (void) cls;
    if (signo <= 0 || signo >= MAX_SIGNAL || sigaction(signo, NULL, &current) != 0 || !is_ours(&current)) {
        return JNI_FALSE;
    }
    return sigaction(signo, &previous[__atomic_load_n(&previous_index[signo], __ATOMIC_ACQUIRE)][signo], NULL) == 0
            ? JNI_TRUE : JNI_FALSE;
}

/* What disposition0 answers; NativeSignals.DISPOSITION_* in Java. */
#define DISPOSITION_UNKNOWN (-1)
#define DISPOSITION_DEFAULT 0
#define DISPOSITION_IGNORED 1
#define DISPOSITION_OURS 2
#define DISPOSITION_OTHER 3

JNIEXPORT jint JNICALL Java_dev_forensics_termination_NativeSignals_disposition0(JNIEnv *env, jclass cls, jint signo) {
    struct sigaction current;
    (void) env;
    (void) cls;
    if (signo <= 0 || signo >= MAX_SIGNAL || sigaction(signo, NULL, &current) != 0) {
        return DISPOSITION_UNKNOWN;
    }
    if (is_ours(&current)) {
        return DISPOSITION_OURS;
    }
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) {
        return DISPOSITION_IGNORED;
    }
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL) {
        return DISPOSITION_DEFAULT;
    }
    return DISPOSITION_OTHER;
}

JNIEXPORT jlong JNICALL Java_dev_forensics_termination_NativeSignals_count0(JNIEnv *env, jclass cls, jint signo) {
    (void) env;
    (void) cls;
    return signo > 0 && signo < MAX_SIGNAL ? __atomic_load_n(&per_signal[signo], __ATOMIC_ACQUIRE) : 0;
}

/* Copies a consistent snapshot of a record; a record being rewritten is retried. */
static int snapshot(record_t *from, record_t *to) {
    int attempt;
    for (attempt = 0; attempt < 1000; attempt++) {
        unsigned int before = __atomic_load_n(&from->seq, __ATOMIC_ACQUIRE);
        if (before & 1u) {
            sched_yield();
            continue;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        memcpy(to, from, sizeof *to);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__atomic_load_n(&from->seq, __ATOMIC_ACQUIRE) == before) {
            return before != 0;
        }
    }
    return 0;
}

/*
 * The first (which == 0) or the latest (which == 1) delivery of a signal, into numbers (F_FIELDS longs) and text
 * (T_SIZE bytes). Returns false when that signal has not been seen.
 */
JNIEXPORT jboolean JNICALL Java_dev_forensics_termination_NativeSignals_record0(JNIEnv *env, jclass cls, jint signo, jint which,
                                                                                 jlongArray numbers, jbyteArray text) {
    record_t r;
    jlong n[F_FIELDS];
    int found = 0;
    (void) cls;
    if (signo <= 0 || signo >= MAX_SIGNAL || (*env)->GetArrayLength(env, numbers) < F_FIELDS
            || (*env)->GetArrayLength(env, text) < T_SIZE) {
        return JNI_FALSE;
    }
    if (which == 0) {
        found = snapshot(&firsts[signo], &r);
    } else {
        long long best = -1;
        int i;
        for (i = 0; i < SLOTS; i++) {
            record_t candidate;
            if (snapshot(&slots[i], &candidate) && candidate.signo == signo && candidate.index > best) {
                best = candidate.index;
                r = candidate;
                found = 1;
            }
        }
        if (!found) {
            found = snapshot(&firsts[signo], &r);
        }
    }
    if (!found) {
        return JNI_FALSE;
    }
    n[F_INDEX] = r.index;
    n[F_SIGNO] = r.signo;
    n[F_CODE] = r.code;
    n[F_PID] = r.pid;
    n[F_UID] = r.uid;
    n[F_TID] = r.tid;
    n[F_PPID] = r.ppid;
    n[F_REAL_NS] = r.real_ns;
    n[F_MONO_NS] = r.mono_ns;
    n[F_COUNT] = __atomic_load_n(&per_signal[signo], __ATOMIC_ACQUIRE);
    n[F_COMM_LEN] = r.comm_len;
    n[F_CMD_LEN] = r.cmd_len;
    n[F_PARENT_COMM_LEN] = r.parent_comm_len;
    n[F_PARENT_CMD_LEN] = r.parent_cmd_len;
    (*env)->SetLongArrayRegion(env, numbers, 0, F_FIELDS, n);
    (*env)->SetByteArrayRegion(env, text, T_COMM, COMM_MAX, (const jbyte *) r.comm);
    (*env)->SetByteArrayRegion(env, text, T_CMD, CMD_MAX, (const jbyte *) r.cmd);
    (*env)->SetByteArrayRegion(env, text, T_PARENT_COMM, COMM_MAX, (const jbyte *) r.parent_comm);
    (*env)->SetByteArrayRegion(env, text, T_PARENT_CMD, CMD_MAX, (const jbyte *) r.parent_cmd);
    return JNI_TRUE;
}

/* Lets Java check that it reads the layout this library writes. */
JNIEXPORT jint JNICALL Java_dev_forensics_termination_NativeSignals_layout0(JNIEnv *env, jclass cls) {
    (void) env;
    (void) cls;
    return F_FIELDS * 100000 + T_SIZE;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void) vm;
    (void) reserved;
    return JNI_VERSION_1_8;
}
