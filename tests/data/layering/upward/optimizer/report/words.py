def words(result):
    return str(result)
