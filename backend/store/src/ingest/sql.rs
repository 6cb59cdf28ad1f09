//! Building multi-row statements for either backend.

use sea_orm::DbBackend;

/// `(?,?),(?,?)` for SQLite or `($1,$2),($3,$4)` for PostgreSQL: `rows` groups of `cols`
/// parameters, numbered from `offset + 1`.
pub fn placeholders(backend: DbBackend, rows: usize, cols: usize, offset: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    let mut n = offset;
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for col in 0..cols {
            if col > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// Splits `len` rows into chunks whose sizes are powers of two up to `max`, so that only a
/// handful of distinct statements exist per table and the prepared-statement cache keeps them.
pub fn chunk_sizes(mut len: usize, max: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while len > 0 {
        let size = if len >= max {
            max
        } else {
            1 << (usize::BITS - 1 - len.leading_zeros())
        };
        sizes.push(size);
        len -= size;
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_each_backends_style() {
        assert_eq!(placeholders(DbBackend::Sqlite, 2, 2, 0), "(?,?),(?,?)");
        assert_eq!(
            placeholders(DbBackend::Postgres, 2, 2, 0),
            "($1,$2),($3,$4)"
        );
    }

    #[test]
    fn chunks_are_powers_of_two_that_add_up() {
        assert_eq!(chunk_sizes(0, 256), Vec::<usize>::new());
        assert_eq!(chunk_sizes(700, 256), vec![256, 256, 128, 32, 16, 8, 4]);
        assert_eq!(chunk_sizes(700, 256).iter().sum::<usize>(), 700);
        assert_eq!(chunk_sizes(1, 256), vec![1]);
    }
}
