# The store the integration tests look into (sourced by world.sh).
# store_sql FILE SQL: runs SQL on the connector's store and prints the rows
# as sqlite3 does (columns joined by '|', no header): the PostgreSQL
# database MLC_STORE names when it names one (the pg ctest label,
# tests/integration/lib/pg.sh), else the SQLite FILE.  On PostgreSQL the
# SQLite functions json_extract, json_remove and group_concat work too.
store_sql() {
  case "${MLC_STORE:-}" in
    postgres://* | postgresql://*) # SQLite's json_extract & co. from lib/pg.sh's sqlite_compat
      PGOPTIONS='-c search_path=public,sqlite_compat' psql -X -q -A -t -v ON_ERROR_STOP=1 "$MLC_STORE" -c "$2" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}
