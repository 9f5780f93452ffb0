/*
 * csvbare.c: the floor under wardstat's ingest: a bare libcsv parse of a file
 * (read whole, one csv_parse call, callbacks that only count), for comparing
 * MB/s with `wardstat report --timings` (parse and normalize together) on the same file.
 *
 * Usage: build/csvbare FILE   prints bytes, records, fields, seconds, MB/s
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((size_t *)data)[0]++;
}

static void on_record(int c, void *data)
{
	(void)c;
	((size_t *)data)[1]++;
}

int main(int argc, char **argv)
{
	struct csv_parser p;
	struct timespec t0, t1;
	size_t count[2] = {0, 0}, len;
	FILE *f;
	char *buf;
	long n;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: csvbare FILE\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	len = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) ||
	    csv_parse(&p, buf, len, on_field, on_record, count) != len) {
		fprintf(stderr, "csvbare: parse error\n");
		return 1;
	}
	csv_fini(&p, on_field, on_record, count);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("bytes %zu records %zu fields %zu seconds %.3f MB/s %.0f\n", len, count[1], count[0], s,
	       (double)len / 1e6 / s);
	csv_free(&p);
	free(buf);
	return 0;
}
