# Sourced by the launch scripts (dist_*.sh, slurm_*.sh): the checks they
# share, each failing with one "error:" line and exit status 2.

fail() { echo "error: $*" >&2; exit 2; }

# need_args COUNT USAGE NAMES ARGS...: at least COUNT arguments.
need_args() {
    local count=$1 usage=$2 names=$3
    shift 3
    if [ $# -lt "$count" ]; then
        echo "usage: $usage" >&2
        fail "$names are needed"
    fi
}

# whole NAME VALUE: VALUE is a whole number of at least 1.
whole() {
    [[ "$2" =~ ^[1-9][0-9]*$ ]] ||
        fail "$1 must be a whole number of at least 1, got '$2'"
}

need_config() { [ -f "$1" ] || fail "config file $1 does not exist"; }
need_checkpoint() { [ -e "$1" ] || fail "checkpoint $1: does not exist"; }
