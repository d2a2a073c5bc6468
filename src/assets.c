/*
 * Static files (stylesheet, script, icons) read from assets/ into memory in
 * the parent and served by our own handler, so that they carry the same
 * security headers as every page and need no file access in the sandbox;
 * and the same for the OpenAPI document, read from docs/.
 */

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

#define ASSETS_MAX	32
#define ASSET_SIZE_MAX	(512 * 1024)

struct asset {
	char		 name[64];
	const char	*type;
	unsigned char	*data;
	size_t		 len;
};

static struct asset	assets[ASSETS_MAX];
static size_t		nassets;

static const char *
asset_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char	*dot;
	size_t		 i;

	if ((dot = strrchr(name, '.')) == NULL)
		return (NULL);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return (types[i].type);
	return (NULL);
}

/* Reads dir/name into 'a'; 0 when it cannot be read whole. */
static int
file_read(const char *dir, const char *name, struct asset *a)
{
	struct stat	 st;
	char		 path[4096];
	ssize_t		 n;
	int		 fd;

	if (strlen(name) >= sizeof(a->name))
		return (0);
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > ASSET_SIZE_MAX) {
		close(fd);
		return (0);
	}
	a->data = kore_malloc((size_t)st.st_size + 1);
	n = read(fd, a->data, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		kore_free(a->data);
		return (0);
	}
	a->len = (size_t)n;
	(void)kore_strlcpy(a->name, name, sizeof(a->name));
	return (1);
}

static int
asset_read(const char *dir, const char *name)
{
	if (nassets == ASSETS_MAX || !file_read(dir, name, &assets[nassets]))
		return (0);
	assets[nassets++].type = asset_type(name);
	return (1);
}

/* Loads every regular file of a known type directly in 'dir'. */
int
assets_load(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	int		 ok = 1;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || asset_type(de->d_name) == NULL)
			continue;
		if (!asset_read(dir, de->d_name)) {
			kore_log(LOG_ERR, "could not load asset %s", de->d_name);
			ok = 0;
		}
	}
	closedir(d);
	return (ok);
}

static struct asset	openapi;
static struct asset	report_key;

/*
 * Loads the public key that signs the transparency reports (report.pub,
 * in signify's format) from the keys folder; without it /transparency/key
 * answers 404 and says why in the log.
 */
void
assets_load_report_key(const char *keys)
{
	if (!file_read(keys, "report.pub", &report_key)) {
		kore_log(LOG_NOTICE, "no %s/report.pub: run recourse-keygen to "
		    "publish the reports' key", keys);
		return;
	}
	report_key.type = "text/plain; charset=utf-8";
}

/* GET /transparency/key: the key every report's files are signed with. */
int
rt_transparency_key(struct http_request *req)
{
	if (!rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	if (report_key.data == NULL)
		return (rt_not_found(req));
	rt_security_headers(req);
	http_response_header(req, "content-type", report_key.type);
	http_response_header(req, "content-disposition",
	    "inline; filename=\"report.pub\"");
	http_response_header(req, "cache-control", "public, max-age=3600");
	http_response(req, 200, report_key.data, report_key.len);
	return (KORE_RESULT_OK);
}

/* Loads dir/openapi.yaml, the document of the JSON APIs. */
int
assets_load_openapi(const char *dir)
{
	if (!file_read(dir, "openapi.yaml", &openapi))
		return (0);
	/* RFC 9512; the document is UTF-8. */
	openapi.type = "application/yaml";
	return (1);
}

/* GET /api/v1/openapi.yaml: the whole document, on both sides. */
int
rt_openapi(struct http_request *req)
{
	if (!rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	rt_security_headers(req);
	http_response_header(req, "content-type", openapi.type);
	http_response_header(req, "cache-control", "no-cache");
	http_response(req, 200, openapi.data, openapi.len);
	return (KORE_RESULT_OK);
}

/* GET /static/NAME */
int
rt_asset(struct http_request *req)
{
	const char	*name;
	size_t		 i;

	if (!rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	name = req->path + strlen("/static/");
	for (i = 0; i < nassets; i++) {
		if (strcmp(assets[i].name, name) != 0)
			continue;
		rt_security_headers(req);
		http_response_header(req, "content-type", assets[i].type);
		http_response_header(req, "cache-control",
		    "public, max-age=3600");
		http_response(req, 200, assets[i].data, assets[i].len);
		return (KORE_RESULT_OK);
	}
	return (rt_not_found(req));
}
