/* Intrusive doubly linked lists: a node type with `prev` and `next`
 * pointers, a head (and, for appending, a tail) pointer of the owner.
 * Macros because the node types differ (links, sessions, clients); each
 * argument is evaluated more than once, so pass plain lvalues. */
#ifndef PVX_LIST_H
#define PVX_LIST_H

/* node becomes the first of the list at head. */
#define PVX_LIST_PUSH(head, node)                                                                  \
	do {                                                                                       \
		(node)->prev = NULL;                                                               \
		(node)->next = (head);                                                             \
		if (head)                                                                          \
			(head)->prev = (node);                                                     \
		(head) = (node);                                                                   \
	} while (0)

/* node becomes the last of the list at head .. tail. */
#define PVX_LIST_APPEND(head, tail, node)                                                          \
	do {                                                                                       \
		(node)->prev = (tail);                                                             \
		(node)->next = NULL;                                                               \
		if (tail)                                                                          \
			(tail)->next = (node);                                                     \
		else                                                                               \
			(head) = (node);                                                           \
		(tail) = (node);                                                                   \
	} while (0)

/* node leaves the list at head; its own pointers are left as they were. */
#define PVX_LIST_UNLINK(head, node)                                                                \
	do {                                                                                       \
		if ((node)->prev)                                                                  \
			(node)->prev->next = (node)->next;                                         \
		else                                                                               \
			(head) = (node)->next;                                                     \
		if ((node)->next)                                                                  \
			(node)->next->prev = (node)->prev;                                         \
	} while (0)

/* The same for a list with a tail pointer. */
#define PVX_LIST_UNLINK_TAIL(head, tail, node)                                                     \
	do {                                                                                       \
		if (!(node)->next)                                                                 \
			(tail) = (node)->prev;                                                     \
		PVX_LIST_UNLINK(head, node);                                                       \
	} while (0)

#endif
