/*
 * Refusals of SLA definitions and files: the field that failed and a
 * sentence for the admin who must fix it.
 */

#include <stdarg.h>
#include <stdio.h>

#include "sla_internal.h"

int
sla_refuse(struct sla_error *err, const char *field, const char *fmt, ...)
{
	va_list	ap;

	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}
