
gen-aftersales-case-0001tb-demo€ºÕÂœ4 €ØÁ¢Œ4*genericZz
x
R5001T1001	SKU-RED-M (08ı-Bagent-liHX`zalipay:zhang***@example.com€ˆ€½ßå4šbuyer-77 °	ª	æ±Ÿè‹çœ