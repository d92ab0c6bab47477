// SPDX-License-Identifier: GPL-2.0
/*
 * conenat: endpoint-independent ("full cone") NAPT for IPv4 on netfilter
 * hooks, with its own mapping table. See README.md and DESIGN.md.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include "instance.h"
#include "netlink.h"
#include "version.h"

static int __init conenat_init(void)
{
	int err;

	err = conenat_index_cache_init();
	if (err)
		return err;
	err = conenat_mapping_cache_init();
	if (err)
		goto err_index_cache;
	err = conenat_conn_cache_init();
	if (err)
		goto err_cache;
	err = conenat_netns_init();
	if (err)
		goto err_conn_cache;
	/* Last: configuration requests may arrive as soon as it is up. */
	err = conenat_genl_init();
	if (err)
		goto err_netns;
	pr_info("conenat " CONENAT_VERSION " loaded\n");
	return 0;

err_netns:
	conenat_netns_exit();
err_conn_cache:
	conenat_conn_cache_exit();
err_cache:
	conenat_mapping_cache_exit();
err_index_cache:
	conenat_index_cache_exit();
	return err;
}

static void __exit conenat_exit(void)
{
	conenat_genl_exit();
	conenat_netns_exit();
	/* Mappings and connections retired by the GC are freed by call_rcu(). */
	rcu_barrier();
	conenat_conn_cache_exit();
	conenat_mapping_cache_exit();
	conenat_index_cache_exit();
}

module_init(conenat_init);
module_exit(conenat_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The conenat authors");
MODULE_DESCRIPTION("Endpoint-independent (full cone) NAT for IPv4");
MODULE_VERSION(CONENAT_VERSION);
MODULE_ALIAS_GENL_FAMILY(CONENAT_GENL_NAME);
