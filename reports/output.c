/*
 * output.c: atomic output files, the shared number format, and the dispatch
 * from a format name to its writer.
 *
 * A file is written to "<dir>/.<name>.XXXXXX" beside its final name, flushed,
 * fsync'd and renamed over the target only when every write succeeded, so a
 * reader never sees half a report and a failed run keeps the previous one.
 * A target that exists and is not a regular file (/dev/null, a FIFO) is
 * written in place.
 */
#include "ws_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_internal.h"

int ws_report_format(const char *name, int *fmt)
{
	static const struct {
		const char *name;
		int fmt;
	} names[] = {{"text", WS_FMT_TEXT}, {"csv", WS_FMT_CSV},   {"json", WS_FMT_JSON},
		     {"md", WS_FMT_MD},     {"html", WS_FMT_HTML}, {"xlsx", WS_FMT_XLSX},
		     {"markdown", WS_FMT_MD}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*fmt = names[i].fmt;
			return WS_OK;
		}
	return WS_EUSAGE;
}

const char *ws_report_target(const char *path, char *buf, size_t cap)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode) || !(real = realpath(path, NULL)))
		return path;
	if (strlen(real) < cap) {
		strcpy(buf, real);
		path = buf;
	}
	free(real);
	return path;
}

int ws_report_open(struct ws_out *out, const char *path, struct ws_err *err)
{
	const char *slash;
	struct stat st;
	int fd;

	memset(out, 0, sizeof(*out));
	if (!path || strcmp(path, "-") == 0) {
		out->f = stdout;
		out->is_stdout = 1;
		return WS_OK;
	}
	if (strlen(path) + 16 >= sizeof(out->tmp))
		return ws_err_set(err, WS_EIO, "%s: path too long", path);
	strcpy(out->path, path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in
		 * place: renaming over it would put a file where the device was */
		if (S_ISDIR(st.st_mode))
			return ws_err_set(err, WS_EIO, "%s: cannot write: %s", path, strerror(EISDIR));
		out->f = fopen(path, "wb");
		if (!out->f)
			return ws_err_set(err, WS_EIO, "%s: cannot write: %s", path, strerror(errno));
		return WS_OK; /* out->tmp stays "": nothing to rename or remove */
	}
	{
		/* a link to a file: replace the file it names, keep the link */
		char real[sizeof(out->tmp) - 16];

		path = ws_report_target(path, real, sizeof(real));
		if (path == real)
			strcpy(out->path, real);
		path = out->path;
	}
	slash = strrchr(path, '/');
	if ((slash ? snprintf(out->tmp, sizeof(out->tmp), "%.*s/.%s.XXXXXX", (int)(slash - path),
			      path, slash + 1)
		   : snprintf(out->tmp, sizeof(out->tmp), ".%s.XXXXXX", path)) >= (int)sizeof(out->tmp))
		return ws_err_set(err, WS_EIO, "%s: path too long", path);
	fd = mkstemp(out->tmp);
	if (fd < 0)
		return ws_err_set(err, WS_EIO, "%s: cannot write: %s", path, strerror(errno));
	fchmod(fd, 0644);
	out->f = fdopen(fd, "wb");
	if (!out->f) {
		int e = errno;

		close(fd);
		unlink(out->tmp);
		return ws_err_set(err, WS_EIO, "%s: cannot write: %s", path, strerror(e));
	}
	return WS_OK;
}

int ws_report_commit(struct ws_out *out, struct ws_err *err)
{
	int bad, e = 0;

	if (out->is_stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			return ws_err_set(err, WS_EIO, "writing output failed: %s",
					  strerror(errno));
		return WS_OK;
	}
	bad = fflush(out->f) != 0 || ferror(out->f);
	if (bad)
		e = errno;
	if (!bad && fsync(fileno(out->f)) != 0 && errno != EINVAL) {
		bad = 1;
		e = errno;
	}
	if (fclose(out->f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	out->f = NULL;
	if (!bad && out->tmp[0] && rename(out->tmp, out->path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		if (out->tmp[0])
			unlink(out->tmp);
		return ws_err_set(err, WS_EIO, "%s: writing failed: %s", out->path,
				  strerror(e ? e : EIO));
	}
	return WS_OK;
}

void ws_report_abort(struct ws_out *out)
{
	if (out->is_stdout || !out->f)
		return;
	fclose(out->f);
	out->f = NULL;
	if (out->tmp[0])
		unlink(out->tmp);
}

const char *ws_report_num(double x, char *buf, size_t cap)
{
	if (isnan(x) || isinf(x) || cap < 32) {
		buf[0] = '\0';
		return buf;
	}
	if (x == 0)
		x = 0; /* no "-0" */
	ws_fmt_double(x, 15, buf, cap);
	return buf;
}

int ws_report_write(const struct ws_table *t, const struct ws_stats *st,
		    const struct ws_report_opts *o, const char *path, struct ws_err *err)
{
	struct ws_out out;
	int rc;

	if (o->format == WS_FMT_CSV)
		return ws_report_csv(t, st, o, path, err);
	if (o->format == WS_FMT_XLSX)
		return ws_report_xlsx(t, st, o, path, err);
	if ((rc = ws_report_open(&out, path, err)) != WS_OK)
		return rc;
	switch (o->format) {
	case WS_FMT_JSON:
		rc = ws_report_json(t, st, o, out.f, err);
		break;
	case WS_FMT_MD:
		rc = ws_report_md(t, st, o, out.f, err);
		break;
	case WS_FMT_HTML:
		rc = ws_report_html(t, st, o, out.f, err);
		break;
	default:
		rc = ws_report_text(t, st, o, out.f, err);
		break;
	}
	if (rc != WS_OK) {
		int e = errno; /* of the write that failed */

		ws_report_abort(&out);
		if (rc == WS_EIO) /* name the file and the cause */
			ws_err_set(err, rc, "%s: writing failed: %s", out.is_stdout ? "stdout" : path,
				   strerror(e ? e : EIO));
		return rc;
	}
	return ws_report_commit(&out, err);
}
