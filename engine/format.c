/*
 * format.c: numbers to text, fast, the way printf("%.*g") writes them.
 *
 * Writing the tables of a million series means tens of millions of numbers;
 * snprintf costs a few hundred nanoseconds each. ws_fmt_double scales the
 * value into an integer of `prec` digits (prec <= 15) with one multiplication
 * or division by an exact power of ten, carries the rounding error exactly
 * with fma, and places the point as %g does: exponent form when the decimal
 * exponent is < -4 or >= prec, trailing zeros removed, the exponent with a
 * sign and at least two digits (e-05, e+20). What the fast path cannot decide
 * exactly (a fraction near one half, huge or tiny values, precisions above
 * 15) goes to snprintf, so the text is always printf's.
 */
#include "ws_engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* Writes v < 10^8 as exactly 8 digits, leading zeros included. */
static void put8(uint32_t v, char *buf)
{
	uint32_t a = v / 10000, b = v % 10000;

	memcpy(buf, digits2 + a / 100 * 2, 2);
	memcpy(buf + 2, digits2 + a % 100 * 2, 2);
	memcpy(buf + 4, digits2 + b / 100 * 2, 2);
	memcpy(buf + 6, digits2 + b % 100 * 2, 2);
}

/* Writes v < 10^16 as exactly 16 digits, leading zeros included. The two
 * halves and their pairs are independent divisions by constants, which the
 * CPU overlaps, where utoa's chain of divisions waits on each step. */
static void put16(uint64_t v, char *buf)
{
	put8((uint32_t)(v / 100000000), buf);
	put8((uint32_t)(v % 100000000), buf + 8);
}

/* Writes printf's exponent of %g, "e-05" or "e+120": a sign and at least two
 * digits; returns the bytes written (no NUL). */
static int put_exp(char *buf, int e)
{
	unsigned u = (unsigned)(e < 0 ? -e : e);
	int o = 0;

	buf[o++] = 'e';
	buf[o++] = e < 0 ? '-' : '+';
	if (u >= 100) {
		buf[o++] = (char)('0' + u / 100);
		u %= 100;
	}
	buf[o++] = digits2[u * 2];
	buf[o++] = digits2[u * 2 + 1];
	return o;
}

/* 10^k, exact in a double for k <= 22. */
static const double d10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
			       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * x * 10^k rounded to the nearest integer, k in [-22, 22], below 2^53. The
 * product (or quotient) is carried as a double plus its exact error, found
 * with fma: p + e is the exact product, q + r/10^-k the quotient to within
 * far less than the rounding margin. When the fraction is within 2^-20 of one
 * half, *near is set and the caller asks printf, which rounds exactly.
 */
static uint64_t scaled(double ax, int k, int *near)
{
	double p, e, f;
	uint64_t i;

	if (k >= 0) {
		p = ax * d10[k];
		e = fma(ax, d10[k], -p); /* ax * 10^k = p + e exactly */
	} else {
		p = ax / d10[-k];
		e = fma(-p, d10[-k], ax) / d10[-k]; /* remainder over the divisor */
	}
	if (!(p < 9007199254740992.0)) { /* beyond 2^53: let printf do it */
		*near = 1;
		return 0;
	}
	i = (uint64_t)p;
	f = (p - (double)i) + e; /* p - i is exact */
	if (f < 0) {
		i--;
		f += 1;
	} else if (f >= 1) {
		i++;
		f -= 1;
	}
	*near = fabs(f - 0.5) < 1.0 / (1 << 20);
	return f >= 0.5 ? i + 1 : i;
}

size_t ws_fmt_double(double x, int prec, char *buf, size_t cap)
{
	char dig16[16];
	const char *dig;
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
	if (k < -22 || k > 22 || prec > 15)
		goto slow;
	d = scaled(ax, k, &near);
	if (d >= u10[prec]) { /* the estimate was one too low, or rounding carried */
		if (k - 1 < -22)
			goto slow;
		e++;
		d = scaled(ax, --k, &near);
	} else if (d < u10[prec - 1]) { /* the estimate was one too high */
		if (k + 1 > 22)
			goto slow;
		e--;
		d = scaled(ax, ++k, &near);
	}
	if (near || d >= u10[prec] || d < u10[prec - 1])
		goto slow;
	put16(d, dig16);
	dig = dig16 + 16 - prec;
	nd = prec;
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
		o += put_exp(buf + o, e);
		buf[o] = '\0';
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
