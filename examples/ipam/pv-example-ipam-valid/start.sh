#!/bin/sh
# Shows eth0 once pv-xconnect has planted it (or says it never came).
for _ in $(seq 20); do
	ip -4 addr show eth0 2>/dev/null | grep -q inet && break
	sleep 1
done
if ip -4 addr show eth0 2>/dev/null | grep -q inet; then
	echo "$(hostname): eth0 is up:"; ip -4 addr show eth0; ip route
else
	echo "$(hostname): no eth0 (refused by IPAM)"
fi
exec sleep 2147483647
