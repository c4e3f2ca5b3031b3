/*
 * config_fuzz.c - libFuzzer target for the configuration loader: YAML
 * parsing with its limits, validation, diagnostics and their formatting.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags = { 0 };
	struct config *cfg = NULL;
	struct buf out = { 0 };
	struct err err = { 0 };

	if (config_load_buffer(&cfg, "fuzz/standby.yaml", (const char *)data,
	        size, &diags, &err) == 0 &&
	    (cfg->hash_hex[64] != '\0' || diags.nerrors != 0))
		__builtin_trap();
	diag_format_text(&diags, &out, &err);
	diag_format_json(&diags, &out, &err);
	buf_release(&out);
	diag_list_release(&diags);
	config_free(cfg);
	return 0;
}
