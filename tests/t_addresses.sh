#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snull-cost: 3
# snull-debug-cost: 32
#
# Link-level identity: the fixed MAC addresses and how frames are addressed,
# NOARP, the MTU range, the refused MAC change and the carrier of the pair;
# and scripts/snull-setup's --hosts and --down.

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup()
{
	lib_cleanup
}
trap cleanup EXIT

MAC0=00:53:4e:55:4c:30
MAC1=00:53:4e:55:4c:31

plan 33

check_cmd "load snull" snull_load
check_cmd "snull-setup" snull_setup_addrs

check_eq "sn0 MAC is $MAC0" $MAC0 "$(cat /sys/class/net/sn0/address)"
check_eq "sn1 MAC is $MAC1" $MAC1 "$(cat /sys/class/net/sn1/address)"
ip link show sn0 >"$TMP/link0"
ip link show sn1 >"$TMP/link1"
check_grep "sn0 has NOARP" '<([A-Z_-]*,)*NOARP[,>]' "$TMP/link0"
check_grep "sn1 has NOARP" '<([A-Z_-]*,)*NOARP[,>]' "$TMP/link1"

# --- the Ethernet header snull builds ---
cap_start eth sn0 -e -n -c 4 icmp
ping_run "$TMP/ping" -c 2 -i 0.2 192.168.0.2
check_eq "ping 192.168.0.2: 2 replies" 2 "$(ping_received "$TMP/ping")"
cap_wait eth
check_grep "requests leave sn0 from $MAC0 to $MAC1" \
	"$MAC0 > $MAC1, .*192\.168\.0\.1 > 192\.168\.0\.2: ICMP echo request" "$TMP/eth.cap"
check_grep "replies reach sn0 from $MAC1 to $MAC0" \
	"$MAC1 > $MAC0, .*192\.168\.0\.2 > 192\.168\.0\.1: ICMP echo reply" "$TMP/eth.cap"

# --- MTU 68..1500 ---
check_fail "mtu 67 is refused" ip link set sn0 mtu 67
check_fail "mtu 1501 is refused" ip link set sn0 mtu 1501
check_eq "SIOCSIFMTU 67 and 1501: EINVAL" "EINVAL EINVAL" \
	"$(snull-ctl setmtu sn0 67 2>&1) $(snull-ctl setmtu sn0 1501 2>&1)"
check_eq "sn0 mtu still 1500" 1500 "$(cat /sys/class/net/sn0/mtu)"
check_cmd "mtu 68 is accepted" ip link set sn0 mtu 68
check_eq "sn0 mtu is 68" 68 "$(cat /sys/class/net/sn0/mtu)"
check_cmd "mtu 1500 is accepted" ip link set sn0 mtu 1500
check_eq "sn0 mtu is 1500" 1500 "$(cat /sys/class/net/sn0/mtu)"

# --- the MAC address is fixed ---
check_fail "changing sn0's MAC while up is refused" \
	ip link set sn0 address 00:53:4e:55:4c:32
check_eq "SIOCSIFHWADDR on sn0 while up: EOPNOTSUPP" EOPNOTSUPP \
	"$(snull-ctl setmac sn0 00:53:4e:55:4c:32 2>&1)"
ip link set sn0 down
check_fail "changing sn0's MAC while down is refused" \
	ip link set sn0 address 00:53:4e:55:4c:32
check_eq "SIOCSIFHWADDR on sn0 while down: EOPNOTSUPP" EOPNOTSUPP \
	"$(snull-ctl setmac sn0 00:53:4e:55:4c:32 2>&1)"
check_eq "sn0 keeps $MAC0" $MAC0 "$(cat /sys/class/net/sn0/address)"
ip link set sn0 up

# --- carrier: on only while both ends are up ---
ip link set sn1 down
sleep 0.5
check_eq "sn0 has no carrier while sn1 is down" 0 "$(cat /sys/class/net/sn0/carrier 2>&1)"
ip link set sn1 up
sleep 0.5
check_eq "sn0 has carrier once sn1 is up" 1 "$(cat /sys/class/net/sn0/carrier 2>&1)"
check_eq "sn1 has carrier" 1 "$(cat /sys/class/net/sn1/carrier 2>&1)"
ping_run "$TMP/ping" -c 2 -i 0.2 192.168.1.1
check_eq "ping 192.168.1.1 after the carrier came back: 2 replies" 2 \
	"$(ping_received "$TMP/ping")"

# --- snull-setup --hosts: the book's four names, nothing edited ---
cp /etc/hosts "$TMP/hosts.before" 2>/dev/null || : >"$TMP/hosts.before"
printf '192.168.0.1\tlocal0\n192.168.0.2\tremote0\n192.168.1.2\tlocal1\n192.168.1.1\tremote1\n' \
	>"$TMP/hosts.want"
check_cmd "snull-setup --hosts prints the four names, and exits 0" \
	sh -c "'$SNULL_SETUP' --hosts >'$TMP/hosts.out' 2>&1 && cmp '$TMP/hosts.want' '$TMP/hosts.out'"
check_cmd "snull-setup --hosts edits no /etc/hosts" \
	sh -c "cat /etc/hosts 2>/dev/null | cmp -s - '$TMP/hosts.before'"

# --- snull-setup --down: both down, the addresses gone; twice is fine ---
check_cmd "snull-setup --down" "$SNULL_SETUP" --down
check_eq "after --down: sn0 and sn1 down, without IPv4 addresses" "down down 0 0" \
	"$(cat /sys/class/net/sn0/operstate) $(cat /sys/class/net/sn1/operstate) $(ip -4 -o addr show dev sn0 | wc -l) $(ip -4 -o addr show dev sn1 | wc -l)"
check_cmd "snull-setup --down a second time" "$SNULL_SETUP" --down
check_cmd "snull-setup brings them back" snull_setup_addrs
wait_for 5 both_up
check_ping "ping 192.168.0.2 after --down and setup: 2 replies" 2 192.168.0.2

finish
