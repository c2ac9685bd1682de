/* policy/activation.h: which calls are held for activation, which pass,
 * and what releases them. */
#include "config.h"

#include "policy/activation.h"
#include "t/tap.h"

int main(void)
{
	const struct activation_call base = { .type = 1, .total = 200, .whole = true,
					      .destination = "org.example.Foo", .claimed = true,
					      .known = true, .owned = false };
	struct activation_call c = base;
	ok(activation_decide(&c) == ACT_HOLD, "a call to a claimed name nobody owns is held");
	c.whole = false;
	ok(activation_decide(&c) == ACT_NEED_BODY, "... once the whole message is read");
	c = base;
	c.flags = DBUS_FLAG_NO_AUTO_START;
	ok(activation_decide(&c) == ACT_PASS, "NO_AUTO_START: passes (the bus answers ServiceUnknown)");
	c = base;
	c.owned = true;
	ok(activation_decide(&c) == ACT_PASS, "an owned name: passes");
	c = base;
	c.claimed = false;
	ok(activation_decide(&c) == ACT_PASS, "a name nobody claims: passes");
	c = base;
	c.known = false;
	ok(activation_decide(&c) == ACT_PASS, "names not known yet (watcher not connected): passes");
	c = base;
	c.destination = ":1.7";
	ok(activation_decide(&c) == ACT_PASS, "a unique name: passes");
	c = base;
	c.destination = NULL;
	ok(activation_decide(&c) == ACT_PASS, "no destination: passes");
	c = base;
	c.type = 4;
	ok(activation_decide(&c) == ACT_PASS, "a signal: passes");
	c = base;
	c.held_on_link = ACTIVATION_MAX_HELD;
	ok(activation_decide(&c) == ACT_PASS, "the link's queue is full: passes");
	c.held_on_link = ACTIVATION_MAX_HELD - 1;
	ok(activation_decide(&c) == ACT_HOLD, "one below the bound: held");
	c = base;
	c.total = ACTIVATION_MAX_MSG + 1;
	ok(activation_decide(&c) == ACT_PASS, "a message over the size bound: passes");

	ok(activation_releases("org.example.Foo", "org.example.Foo", ":1.9"), "the owner appears: released");
	ok(!activation_releases("org.example.Foo", "org.example.Foo", ""), "the owner leaves: not released");
	ok(!activation_releases("org.example.Foo", "org.example.Bar", ":1.9"), "another name: not released");
	ok(!activation_releases(NULL, "org.example.Foo", ":1.9"), "nothing held: not released");
	return tap_done();
}
