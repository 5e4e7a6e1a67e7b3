/*
 * The hostile JVM user's half of the request-file attacks, as fast as an attacker would write it: watches a
 * requests directory with inotify and, as soon as a name appears,
 *   link <target>  replaces every ".<name>.tmp" by a symbolic link to <target> (the CLI's write must not follow it);
 *   fifo           plants a FIFO where the answer to every "<name>.request" will be (the CLI must not hang on it).
 * Compiled and run by HostileNeighbourIT as a second local user.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static int endsWith(const char *s, const char *tail) {
    size_t l = strlen(s), t = strlen(tail);
    return l > t && strcmp(s + l - t, tail) == 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: swapper <dir> link <target> | fifo\n");
        return 2;
    }
    int fd = inotify_init();
    if (fd < 0 || inotify_add_watch(fd, argv[1], IN_CREATE | IN_MOVED_TO) < 0) {
        perror("inotify");
        return 1;
    }
    printf("WATCHING\n");
    fflush(stdout);
    char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
    char path[PATH_MAX];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            return 1;
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *) p;
            if (e->len > 0) {
                if (strcmp(argv[2], "link") == 0 && e->name[0] == '.' && endsWith(e->name, ".tmp") && argc > 3) {
                    snprintf(path, sizeof path, "%s/%s", argv[1], e->name);
                    unlink(path);
                    symlink(argv[3], path);
                } else if (strcmp(argv[2], "fifo") == 0 && e->name[0] != '.' && endsWith(e->name, ".request")) {
                    snprintf(path, sizeof path, "%s/%.*s.response", argv[1], (int) (strlen(e->name) - 8), e->name);
                    mkfifo(path, 0666);
                }
            }
            p += sizeof(struct inotify_event) + e->len;
        }
    }
}
