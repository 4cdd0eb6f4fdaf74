-- The body in one-byte chunks signs like any other (no chunk-size assumptions).
local lib = dofile(os.getenv("SEGEL_LUA_DIR") .. "/lib.lua")
local conn = lib.connect()
lib.begin_message(conn, "alice@tangerangkota.go.id", "alice@tangerangkota.go.id", "onebyte")
lib.headers(conn, "alice@tangerangkota.go.id", "onebyte")
local body = "Baris pertama.\r\nFrom baris kedua  \r\nBaris ketiga.\r\n"
for i = 1, #body do
	mt.bodystring(conn, string.sub(body, i, i))
	lib.expect(conn, SMFIR_CONTINUE, "body byte " .. i)
end
lib.expect_signed(conn, "one-byte body")
mt.disconnect(conn)
