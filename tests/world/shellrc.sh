# rc file for `world.py shell`: the user's bashrc, then a prompt that shows the world.
[ -f ~/.bashrc ] && . ~/.bashrc
PS1="[world: $WORLD_SCENARIOS] \w\$ "
echo "world: scenarios $WORLD_SCENARIOS; WORLD_DIR=$WORLD_DIR; logs in \$WORLD_LOGS; hosts in \$WORLD_INFO"
echo "world: try  getent hosts mail.basic.example ; dig @127.0.0.1 ... ; curl ... ; exit to tear down"
