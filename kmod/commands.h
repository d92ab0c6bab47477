/* SPDX-License-Identifier: GPL-2.0 */
/* The family's command handlers (commands.c), for its ops (netlink.c). */
#ifndef _CONENAT_COMMANDS_H
#define _CONENAT_COMMANDS_H

struct sk_buff;
struct genl_info;

int conenat_cmd_get(struct sk_buff *skb, struct genl_info *info);
int conenat_cmd_up(struct sk_buff *skb, struct genl_info *info);
int conenat_cmd_set(struct sk_buff *skb, struct genl_info *info);
int conenat_cmd_down(struct sk_buff *skb, struct genl_info *info);
int conenat_cmd_flush(struct sk_buff *skb, struct genl_info *info);
int conenat_cmd_get_stats(struct sk_buff *skb, struct genl_info *info);
int conenat_cmd_forward(struct sk_buff *skb, struct genl_info *info);

#endif /* _CONENAT_COMMANDS_H */
