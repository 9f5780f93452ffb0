/* pending.c: placeholders until the writers land (being replaced this session). */
#include "report_internal.h"
int ws_report_text(const struct ws_table *t, const struct ws_stats *st, const struct ws_report_opts *o, FILE *f, struct ws_err *err) { (void)f; (void)t; (void)st; (void)o; return ws_err_set(err, WS_EUSAGE, "format not built yet"); }
int ws_report_json(const struct ws_table *t, const struct ws_stats *st, const struct ws_report_opts *o, FILE *f, struct ws_err *err) { (void)f; (void)t; (void)st; (void)o; return ws_err_set(err, WS_EUSAGE, "format not built yet"); }
int ws_report_md(const struct ws_table *t, const struct ws_stats *st, const struct ws_report_opts *o, FILE *f, struct ws_err *err) { (void)f; (void)t; (void)st; (void)o; return ws_err_set(err, WS_EUSAGE, "format not built yet"); }
int ws_report_html(const struct ws_table *t, const struct ws_stats *st, const struct ws_report_opts *o, FILE *f, struct ws_err *err) { (void)f; (void)t; (void)st; (void)o; return ws_err_set(err, WS_EUSAGE, "format not built yet"); }
int ws_report_xlsx(const struct ws_table *t, const struct ws_stats *st, const struct ws_report_opts *o, const char *path, struct ws_err *err) { (void)path; (void)t; (void)st; (void)o; return ws_err_set(err, WS_EUSAGE, "format not built yet"); }
