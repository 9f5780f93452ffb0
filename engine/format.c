/*
 * format.c: numbers to text, fast, the way printf("%.*g") writes them.
 *
 * Writing the tables of a million series means tens of millions of numbers;
 * snprintf costs a few hundred nanoseconds each. ws_fmt_double scales the
 * value into an integer of `prec` digits with one correctly rounded long
 * double operation by an exact power of ten (10^0..10^27 are exact in the
 * 64-bit mantissa of x87 long double), then places the point as %g does:
 * (precisions up to 15 only: beyond that the long double has too few spare bits)
 * exponent form when the decimal exponent is < -4 or >= prec, trailing zeros
 * removed. Values the fast path cannot take exactly fall back to snprintf.
 */
#include "ws_engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const long double p10[28] = {
	1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
	1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
	1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

static const uint64_t u10[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
	100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
	10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull};

static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Writes the decimal digits of v into buf, two at a time; returns their number. */
static int utoa(uint64_t v, char *buf)
{
	char tmp[24];
	int n = 24;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		tmp[--n] = digits2[d + 1];
		tmp[--n] = digits2[d];
	}
	if (v >= 10) {
		tmp[--n] = digits2[v * 2 + 1];
		tmp[--n] = digits2[v * 2];
	} else {
		tmp[--n] = (char)('0' + v);
	}
	memcpy(buf, tmp + n, (size_t)(24 - n));
	return 24 - n;
}

/*
 * x * 10^k rounded to the nearest integer, k in [-27, 27]. The long double
 * product is within one of its ulps (2^-14 for values below 10^15) of the
 * exact one, so the rounding is right unless the fraction is near one half:
 * then *near is set and the caller asks printf, which rounds exactly.
 */
static uint64_t scaled(double ax, int k, int *near)
{
	long double m = k >= 0 ? (long double)ax * p10[k] : (long double)ax / p10[-k];
	uint64_t i;
	long double f;

	if (m >= 18446744073709551615.0L) { /* beyond the fast path: let printf do it */
		*near = 1;
		return 0;
	}
	i = (uint64_t)m; /* truncation: m is positive */
	f = m - (long double)i;
	*near = fabsl(f - 0.5L) < 1.0L / 1024;
	return f >= 0.5L ? i + 1 : i;
}

size_t ws_fmt_double(double x, int prec, char *buf, size_t cap)
{
	char dig[24];
	int e, nd, k, o = 0, near;
	uint64_t d;
	double ax = fabs(x);

	if (cap < 32 || prec < 1 || prec > 17 || isnan(x) || isinf(x))
		goto slow;
	if (x == 0) { /* printf keeps the sign of a negative zero */
		return (size_t)(signbit(x) ? (memcpy(buf, "-0", 3), 2) : (memcpy(buf, "0", 2), 1));
	}
	if (ax < (double)u10[prec < 15 ? prec : 15] && (double)(int64_t)x == x) {
		/* an integer that fits the precision: its digits as they are */
		if (x < 0)
			buf[o++] = '-';
		o += utoa((uint64_t)ax, buf + o);
		buf[o] = '\0';
		return (size_t)o;
	}
	{
		uint64_t bits;
		int e2;

		memcpy(&bits, &ax, sizeof(bits));
		e2 = (int)((bits >> 52) & 0x7FF) - 1023; /* ax = 1.f * 2^e2 (normal numbers) */
		if (e2 == -1023)
			goto slow; /* subnormal */
		/* log10(ax) is within one of e2 log10(2); 1233/4096 = 0.30103, floor division */
		e = e2 >= 0 ? e2 * 1233 / 4096 : -((-e2 * 1233 + 4095) / 4096);
	}
	k = prec - 1 - e;
	if (k < -27 || k > 27 || prec > 15)
		goto slow;
	d = scaled(ax, k, &near);
	if (d >= u10[prec]) { /* the estimate was one too low, or rounding carried */
		if (k - 1 < -27)
			goto slow;
		e++;
		d = scaled(ax, --k, &near);
	} else if (d < u10[prec - 1]) { /* the estimate was one too high */
		if (k + 1 > 27)
			goto slow;
		e--;
		d = scaled(ax, ++k, &near);
	}
	if (near || d >= u10[prec] || d < u10[prec - 1])
		goto slow;
	nd = utoa(d, dig);
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (x < 0)
		buf[o++] = '-';
	if (e < -4 || e >= prec) { /* d.ddde+XX */
		buf[o++] = dig[0];
		if (nd > 1) {
			buf[o++] = '.';
			memcpy(buf + o, dig + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		o += snprintf(buf + o, cap - (size_t)o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
		return (size_t)o;
	}
	if (e < 0) { /* 0.000ddd */
		buf[o++] = '0';
		buf[o++] = '.';
		for (int i = -1; i > e; i--)
			buf[o++] = '0';
		memcpy(buf + o, dig, (size_t)nd);
		o += nd;
	} else if (nd <= e + 1) { /* integer: ddd000 */
		memcpy(buf + o, dig, (size_t)nd);
		o += nd;
		for (int i = nd; i <= e; i++)
			buf[o++] = '0';
	} else { /* ddd.ddd */
		memcpy(buf + o, dig, (size_t)e + 1);
		o += e + 1;
		buf[o++] = '.';
		memcpy(buf + o, dig + e + 1, (size_t)(nd - e - 1));
		o += nd - e - 1;
	}
	buf[o] = '\0';
	return (size_t)o;
slow:
	return (size_t)snprintf(buf, cap, "%.*g", prec, x);
}
