set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set decimalsign ','
set output 'cost.es.svg'
set title 'Coste mensual según el ritmo de peticiones (punto de equilibrio)'
set xtics ("1" 1, "10" 10, "100" 100, "1 000" 1000, "10 000" 10000)
set ytics ("1" 1, "10" 10, "100" 100, "1 000" 1000, "10 000" 10000, "100 000" 100000)
set xlabel 'peticiones por segundo'
set ylabel 'USD al mes'
set logscale x 10
set logscale y 10
set key top left
plot 'cost.dat' using 1:2 with lines ls 1 title 'Monolito', '' using 1:3 with lines ls 2 title 'Microservicios', '' using 1:4 with lines ls 3 title 'Serverless (FaaS)'
