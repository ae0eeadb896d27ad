typedef bool Aa

typedef bool U
