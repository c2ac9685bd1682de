/* The installed table of plugins (fsm/plugin.h). */
#include "config.h"

#include <stddef.h>

#include "fsm/plugin.h"

static const struct pvx_plugin_table *installed;

void pvx_plugins_install(const struct pvx_plugin_table *table)
{
	installed = table;
}

const struct pvx_plugin *pvx_plugin_for(enum pvx_link_type type)
{
	return installed && (unsigned)type < LINK_TYPE__COUNT ? installed->by_type[type] : NULL;
}

const char *pvx_plugin_missing_reason(enum pvx_link_type type)
{
	if (installed && installed->missing_reason)
		return installed->missing_reason(type);
	return "is not supported by this build";
}
