module github.com/difgen/difgen

go 1.26.0

require (
	github.com/sashabaranov/go-openai v1.43.0
	github.com/sergi/go-diff v1.4.0
	github.com/yuin/goldmark v1.8.7
	golang.org/x/mod v0.42.0
	golang.org/x/tools v0.52.0
	rsc.io/script v0.0.2
)

require golang.org/x/sync v0.24.0 // indirect
